using VidGen.Models;

namespace VidGen.Tests.Models;

/// <summary>The documented lookup order: a path, the installed model package beside the program, a clone's models/.</summary>
public class ModelLocatorTests
{
    static string SaveTiny(string modelsFolder, string name)
    {
        using var model = TinyModels.Create();
        var dir = Path.Combine(modelsFolder, name);
        Checkpoint.Save(dir, model);
        return dir;
    }

    [Fact]
    public void The_program_folders_package_copy_comes_before_a_clones_models_and_names_resolve_by_that_order()
    {
        var root = TinyModels.TempDir("locator");
        var clone = Path.Combine(root, "clone");
        var program = Path.Combine(root, "tool", "bin");
        Directory.CreateDirectory(program);
        Directory.CreateDirectory(Path.Combine(clone, "sub", "dir"));
        File.WriteAllText(Path.Combine(clone, ModelLocator.RepositoryMarker), "");
        var packaged = SaveTiny(Path.Combine(program, "models"), "default");
        var cloned = SaveTiny(Path.Combine(clone, "models"), "default");
        var onlyInClone = SaveTiny(Path.Combine(clone, "models"), "shapes-32");
        var cwd = Path.Combine(clone, "sub", "dir");

        Assert.Equal(new[] { Path.Combine(program, "models"), Path.Combine(clone, "models") }, ModelLocator.SearchFolders(cwd, program));
        Assert.Equal(packaged, ModelLocator.Resolve("default", cwd, program));
        Assert.Equal(packaged, ModelLocator.FindDefault(cwd, program));
        Assert.Equal(onlyInClone, ModelLocator.Resolve("shapes-32", cwd, program));
        Assert.Equal(new[] { "default", "shapes-32" }, ModelLocator.BundledNames(cwd, program));
        Assert.Equal(cloned, ModelLocator.Resolve(cloned, cwd, program)); // a path is taken as given
        Assert.Equal(clone, ModelLocator.RepositoryRoot(cwd));
    }

    [Fact]
    public void A_models_folder_outside_a_clone_is_not_searched_and_a_missing_name_lists_every_place_looked()
    {
        var root = TinyModels.TempDir("locator-none");
        var program = Path.Combine(root, "bin");
        Directory.CreateDirectory(program);
        SaveTiny(Path.Combine(root, "models"), "default"); // no VidGen.slnx above it: not a clone, so not looked in

        Assert.Null(ModelLocator.FindDefault(root, program));
        Assert.Empty(ModelLocator.SearchFolders(root, program));
        var e = Assert.Throws<DirectoryNotFoundException>(() => ModelLocator.Resolve("default", root, program));
        Assert.Equal($"model 'default' not found: no such folder, and no bundled model of that name in {Path.Combine(program, "models")} (the VidGen.Models.Default package)"
            + " (no bundled models found: install the VidGen.Models.Default package or run from a clone)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        var path = Assert.Throws<DirectoryNotFoundException>(() => ModelLocator.Resolve(Path.Combine(root, "nope", "x"), root, program));
        Assert.StartsWith($"model '{Path.Combine(root, "nope", "x")}' not found: no such folder (no bundled models", path.Message);
    }
}
