using System.CommandLine;
using VidGen.Cli.Commands;

// `vidgen`: thin command layer over the VidGen library. Each command lives in Commands/.
var root = new RootCommand("VidGen: text-to-video diffusion in .NET (generate, train, eval, dataset, bench, serve)");
root.Add(GenerateCommand.Create());
root.Add(TrainCommand.Create());
root.Add(TrainAutoencoderCommand.Create());
root.Add(DatasetCommand.Create());
root.Add(ServeCommand.Create());
root.Add(EvalCommand.Create());
root.Add(CurveCommand.Create());
root.Add(GalleryCommand.Create());
root.Add(ExportCommand.Create());
root.Add(TextEncoderCommand.Create());
root.Add(BenchCommand.Create());
return await root.Parse(args).InvokeAsync();
