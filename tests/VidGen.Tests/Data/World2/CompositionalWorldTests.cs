using System.Collections.Concurrent;
using VidGen.Data;
using VidGen.Data.World2;
using VidGen.Media;

namespace VidGen.Tests.Data.World2;

public class CompositionalWorldTests(ArtFixture fixture) : IClassFixture<ArtFixture>
{
    [EmojiFact]
    public void Same_seed_and_index_give_the_same_clip_in_any_thread_and_others_differ()
    {
        var world = fixture.World();
        var a = world.TrainingClip(7, 42);
        var b = new CompositionalWorld(ObjectArt.Load()).TrainingClip(7, 42);
        Assert.Equal(a.Video.Pixels, b.Video.Pixels);
        Assert.Equal(a.Caption, b.Caption);
        Assert.Equal(a.Spec.Objects, b.Spec.Objects);
        Assert.Equal(a.Layout.Tracks.SelectMany(t => t), b.Layout.Tracks.SelectMany(t => t));
        Assert.NotEqual(a.Video.Pixels, world.TrainingClip(7, 43).Video.Pixels);
        Assert.NotEqual(a.Video.Pixels, world.TrainingClip(8, 42).Video.Pixels);

        // Rendered in parallel, in any order, the clips are the sequential ones.
        var sequential = Enumerable.Range(0, 24).Select(i => world.HeldOutClip(3, i).Video.Pixels).ToArray();
        var parallel = new ConcurrentDictionary<int, float[]>();
        Parallel.For(0, 24, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[23 - i] = world.HeldOutClip(3, 23 - i).Video.Pixels);
        for (int i = 0; i < 24; i++) Assert.Equal(sequential[i], parallel[i]);
    }

    [EmojiFact]
    public void Training_never_shows_a_held_out_combination_and_the_held_out_split_only_those()
    {
        var world = fixture.World();
        var kindsSeen = new HashSet<(Category, HeldOutKind, int)>();
        for (int i = 0; i < 800; i++)
        {
            var clip = world.TrainingClip(1, i);
            Assert.False(clip.IsHeldOut, $"training clip {i} \"{clip.Caption}\" holds {string.Join(", ", clip.HeldOutKinds.Select(HeldOut.Name))}");
        }
        // Sampled specs do hold them often, so the rejection is doing work.
        var rng = new Random(2);
        int held = Enumerable.Range(0, 800).Count(_ => HeldOut.Contains(SpecSampler.Draw(Terms.Categories[rng.Next(8)], rng)));
        Assert.InRange(held, 40, 600);

        foreach (var c in Terms.Categories)
            for (int i = 0; i < 16; i++)
            {
                var clip = world.HeldOutClip(5, i, c);
                Assert.Equal(c, clip.Spec.Category);
                var kinds = clip.HeldOutKinds;
                Assert.Contains(kinds, k => HeldOut.KindsFor(c).Contains(k));
                kindsSeen.Add((c, kinds.First(k => HeldOut.KindsFor(c).Contains(k)), 0));
            }
        // Without a category the split walks the categories in turn.
        Assert.Equal(Terms.Categories, Enumerable.Range(0, 8).Select(i => world.HeldOutClip(0, i).Spec.Category));
        // Attribute alternates its two kinds.
        Assert.Contains((Category.Attribute, HeldOutKind.ColourShape, 0), kindsSeen);
        Assert.Contains((Category.Attribute, HeldOutKind.ObjectPair, 0), kindsSeen);
    }

    [EmojiFact]
    public void Every_held_out_entry_is_drawn_by_the_split()
    {
        var world = fixture.World();
        // Motion: 8 entries, walked in order.
        var motions = Enumerable.Range(0, 8).Select(i => world.HeldOutClip(0, i, Category.Motion).Spec)
            .Select(s => HeldOut.ObjectMotions.First(m => s.Objects.Any(o => (o.Class, o.Movement) == m))).ToList();
        Assert.Equal(HeldOut.ObjectMotions, motions);
        var counts = Enumerable.Range(0, 6).Select(i => world.HeldOutClip(0, i, Category.Numeracy).Spec).Select(s => (s.Objects[0].Class, s.Count)).ToList();
        Assert.Equal(HeldOut.ClassCounts, counts);
    }

    [Fact]
    public void Held_out_lists_are_fixed_and_leave_every_term_in_training()
    {
        Assert.Equal(("red", ObjectClass.Star), HeldOut.ColourShapes[0]);
        Assert.Equal(Terms.Colours.Order(), HeldOut.ColourShapes.Select(p => p.Colour).Order());
        Assert.All(Terms.Directions, d => Assert.Equal(2, HeldOut.ObjectMotions.Count(m => m.Direction == d)));
        Assert.All(Terms.Actions, a => Assert.Equal(2, HeldOut.ObjectActions.Count(m => m.Action == a)));
        Assert.All(Terms.Scenes.Skip(1), s => Assert.Equal(2, HeldOut.ObjectScenes.Count(m => m.Scene == s)));
        Assert.Equal(6, HeldOut.RelationTriples.Count);
        // A spec holding one combination is held out; the inverse wording of a relation triple too.
        var circle = new ObjectSpec(ObjectClass.Circle, "red", ShapeSize.Small);
        var square = new ObjectSpec(ObjectClass.Square, "blue", ShapeSize.Small);
        Assert.Contains(HeldOutKind.RelationTriple, HeldOut.KindsIn(new ClipSpec(Category.Spatial, Scene.Black, new[] { circle, square }, Relation.LeftOf)));
        Assert.Contains(HeldOutKind.RelationTriple, HeldOut.KindsIn(new ClipSpec(Category.Spatial, Scene.Black, new[] { square, circle }, Relation.RightOf)));
        Assert.Empty(HeldOut.KindsIn(new ClipSpec(Category.Spatial, Scene.Black, new[] { square, circle }, Relation.LeftOf)));
        Assert.Equal(new[] { HeldOutKind.ObjectScene }, HeldOut.KindsIn(new ClipSpec(Category.Scene, Scene.Sky, new[] { new ObjectSpec(ObjectClass.Fish, null, ShapeSize.Large) })));
        Assert.Equal(new[] { HeldOutKind.ColourShape }, HeldOut.KindsIn(new ClipSpec(Category.Dynamic, Scene.Black, new[] { new ObjectSpec(ObjectClass.Circle, "red", ShapeSize.Large, ColourTo: "magenta") })));
    }

    [EmojiFact]
    public void Every_category_renders_its_objects_in_view_apart_and_visible()
    {
        var world = fixture.World();
        var g = world.Geometry;
        foreach (var c in Terms.Categories)
            for (int i = 0; i < 12; i++)
            {
                var clip = i % 2 == 0 ? world.TrainingClip(9, i, c) : world.HeldOutClip(9, i, c);
                Assert.Null(clip.Spec.Problem());
                Assert.Equal((16, 64, 64), (clip.Video.Frames, clip.Video.Height, clip.Video.Width));
                var tracks = clip.Layout.Tracks;
                Assert.Equal(clip.Spec.Count, tracks.Count);
                var rows = world.SceneRows(clip.Spec.Scene).ToArray();
                for (int f = 0; f < g.Frames; f++)
                {
                    for (int k = 0; k < tracks.Count; k++)
                    {
                        var p = tracks[k][f];
                        float reach = clip.Spec.Objects[k].Movement == Movement.Spinning ? p.Radius * world.Art[clip.Spec.Objects[k].Class].Reach : p.Radius;
                        Assert.InRange(p.X - reach, 0f, 64f);
                        Assert.InRange(p.X + reach, 0f, 64f);
                        Assert.InRange(p.Y - reach, 0f, 64f);
                        Assert.InRange(p.Y + reach, 0f, 64f);
                        // The object shows: pixels of its box differ from the scene.
                        Assert.True(Differs(clip.Video, f, p, rows) > 4, $"{c} clip {i} \"{clip.Caption}\": object {k} invisible in frame {f}");
                        for (int m = k + 1; m < tracks.Count; m++)
                        {
                            var q = tracks[m][f];
                            var om = clip.Spec.Objects[m];
                            float need = reach + (om.Movement == Movement.Spinning ? q.Radius * world.Art[om.Class].Reach : q.Radius) + g.Gap - 1e-3f;
                            Assert.True(MathF.Abs(p.X - q.X) >= need || MathF.Abs(p.Y - q.Y) >= need, $"{c} clip {i}: objects {k} and {m} closer than the gap in frame {f}");
                        }
                    }
                }
            }
    }

    static int Differs(Video v, int f, TrackPoint p, float[] rows)
    {
        int n = 0;
        for (int y = Math.Max(0, (int)(p.Y - p.Radius)); y < Math.Min(v.Height, (int)(p.Y + p.Radius)); y++)
            for (int x = Math.Max(0, (int)(p.X - p.Radius)); x < Math.Min(v.Width, (int)(p.X + p.Radius)); x++)
            {
                var (r, gr, b) = v.Get(f, y, x);
                if (MathF.Abs(r - rows[3 * y]) + MathF.Abs(gr - rows[3 * y + 1]) + MathF.Abs(b - rows[3 * y + 2]) > 0.2f) n++;
            }
        return n;
    }

    [EmojiFact]
    public void Motions_actions_relations_and_interactions_follow_the_geometry()
    {
        var world = fixture.World();
        var g = world.Geometry;
        var rng = new Random(4);
        ObjectSpec Obj(ObjectClass c, Movement m = Movement.Still, Speed s = Speed.Normal, ShapeSize size = ShapeSize.Small) =>
            new(c, Terms.IsShape(c) ? "green" : null, size, m, s, SizeNamed: !Terms.ChangesSize(m));

        foreach (var speed in new[] { Speed.Slow, Speed.Normal, Speed.Fast })
        {
            var t = world.Render(new ClipSpec(Category.Motion, Scene.Black, new[] { Obj(ObjectClass.Dog, Movement.Left, speed) }), rng).Layout.Tracks[0];
            Assert.Equal(-g.Travel(speed), t[^1].X - t[0].X, 3);
            Assert.Equal(0, t[^1].Y - t[0].Y, 3);
            var spin = world.Render(new ClipSpec(Category.Action, Scene.Black, new[] { Obj(ObjectClass.Star, Movement.Spinning, speed) }), rng).Layout.Tracks[0];
            Assert.Equal(WorldGeometry.SpinDegrees(speed), MathF.Abs(spin[^1].Angle - spin[0].Angle), 3);
            Assert.Equal(0, spin[0].Angle);
            var grow = world.Render(new ClipSpec(Category.Action, Scene.Black, new[] { Obj(ObjectClass.Cat, Movement.Growing, speed) }), rng).Layout.Tracks[0];
            Assert.Equal(WorldGeometry.GrowthRatio(speed), grow[^1].Radius / grow[0].Radius, 3);
            var bounce = world.Render(new ClipSpec(Category.Action, Scene.Black, new[] { Obj(ObjectClass.Ball, Movement.Bouncing, speed) }), rng).Layout.Tracks[0];
            Assert.Equal(bounce[0].Y, bounce[^1].Y, 3); // back on the floor
            Assert.Equal(g.BounceHeight, bounce.Max(p => bounce[0].Y - p.Y), 0.2f * g.BounceHeight);
        }

        foreach (var relation in Enum.GetValues<Relation>())
            for (int i = 0; i < 10; i++)
            {
                var t = world.Render(new ClipSpec(Category.Spatial, Scene.Black, new[] { Obj(ObjectClass.Apple), Obj(ObjectClass.Circle) }, relation), rng).Layout.Tracks;
                float dx = t[0][0].X - t[1][0].X, dy = t[0][0].Y - t[1][0].Y;
                var (along, across) = relation switch
                {
                    Relation.LeftOf => (-dx, dy),
                    Relation.RightOf => (dx, dy),
                    Relation.Above => (-dy, dx),
                    _ => (dy, dx),
                };
                Assert.True(along > 0 && MathF.Abs(across) <= LayoutPlanner.RelationSlant * along + 1e-4f, $"{relation}: dx {dx}, dy {dy}");
            }

        foreach (var interaction in Enum.GetValues<Interaction>())
            foreach (var (ma, mb) in new[] { (Movement.Left, Movement.Right), (Movement.Right, Movement.Left), (Movement.Up, Movement.Down), (Movement.Down, Movement.Up) })
            {
                var spec = new ClipSpec(Category.Interaction, Scene.Black, new[] { Obj(ObjectClass.Cat, ma), Obj(ObjectClass.Boat, mb) }, Interaction: interaction);
                var t = world.Render(spec, rng).Layout.Tracks;
                float Distance(int f) => MathF.Sqrt(MathF.Pow(t[0][f].X - t[1][f].X, 2) + MathF.Pow(t[0][f].Y - t[1][f].Y, 2));
                float change = Distance(g.Frames - 1) - Distance(0);
                Assert.Equal(interaction == Interaction.Towards ? -2 * g.InteractionTravel : 2 * g.InteractionTravel, change, 0.6f);
            }
    }

    [EmojiFact]
    public void A_colour_change_starts_and_ends_in_its_two_colours()
    {
        var world = fixture.World();
        var spec = new ClipSpec(Category.Dynamic, Scene.Black, new[] { new ObjectSpec(ObjectClass.Square, "red", ShapeSize.Large, ColourTo: "blue") });
        var clip = world.Render(spec, new Random(1));
        var c = clip.Layout.Tracks[0][0];
        Assert.Equal((1f, 0f, 0f), clip.Video.Get(0, (int)c.Y, (int)c.X));
        Assert.Equal((1f, 0f, 0f), clip.Video.Get(3, (int)c.Y, (int)c.X)); // held for the first quarter
        Assert.Equal((0f, 0f, 1f), clip.Video.Get(15, (int)c.Y, (int)c.X));
        var (r, _, b) = clip.Video.Get(8, (int)c.Y, (int)c.X);
        Assert.InRange(r, 0.2f, 0.8f);
        Assert.InRange(b, 0.2f, 0.8f);
    }

    [EmojiFact]
    public void An_unsatisfiable_spec_is_redrawn_never_a_crash()
    {
        // Objects of 0.3 of the side: two large ones cannot stand apart in any frame.
        var world = fixture.World(new WorldGeometry { SmallRadius = 0.1f, LargeRadius = 0.3f });
        var large = new ObjectSpec(ObjectClass.Triangle, "green", ShapeSize.Large);
        var three = new ClipSpec(Category.Numeracy, Scene.Black, new[] { large, large, large });
        Assert.Null(world.Planner.TryLayout(three, new Random(0)));
        var e = Assert.Throws<ArgumentException>(() => world.Render(three, new Random(0)));
        Assert.Contains("three large green triangles", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        // Training and held-out clips draw again from the same stream: every one fits, none has two large objects.
        for (int i = 0; i < 40; i++)
        {
            var clip = world.TrainingClip(0, i, Category.Numeracy);
            Assert.True(clip.Spec.Count == 1 || clip.Spec.Objects.All(o => o.Size == ShapeSize.Small), clip.Caption);
            Assert.Equal(clip.Video.Pixels, world.TrainingClip(0, i, Category.Numeracy).Video.Pixels);
        }
        var many = Enumerable.Range(0, 40).Select(i => world.TrainingClip(0, i, Category.Numeracy).Spec.Count).ToArray();
        Assert.Contains(3, many);
        Assert.Contains(world.HeldOutClip(0, 1, Category.Numeracy).Spec.Count, new[] { 2, 3 });
    }

    [Fact]
    public void Scenes_vary_by_row_only_and_keep_every_palette_colour_visible()
    {
        foreach (var scene in Terms.Scenes)
        {
            var rows = SceneArt.Rows(scene, 64);
            for (int y = 0; y < 64; y++)
                foreach (var (name, r, gr, b) in ShapesWorld.Palette)
                {
                    float d = MathF.Sqrt(MathF.Pow(r - rows[3 * y], 2) + MathF.Pow(gr - rows[3 * y + 1], 2) + MathF.Pow(b - rows[3 * y + 2], 2));
                    Assert.True(d >= 0.5f, $"{name} on {scene} row {y}: distance {d}");
                }
        }
        Assert.Equal((0f, 0f, 0f), SceneArt.Row(Scene.Black, 30, 64));
        // The grass scene's horizon: sky above, grass below.
        Assert.True(SceneArt.Row(Scene.Grass, 10, 64).B > 0.5f);
        Assert.True(SceneArt.Row(Scene.Grass, 40, 64).G > SceneArt.Row(Scene.Grass, 40, 64).B);
    }

    [Fact]
    public void Bad_specs_and_sizes_are_one_line_errors()
    {
        Assert.Contains("needs a colour", new ObjectSpec(ObjectClass.Square, null, ShapeSize.Small).Problem());
        Assert.Contains("own colours", new ObjectSpec(ObjectClass.Cat, "red", ShapeSize.Small).Problem());
        Assert.Contains("circle spinning", new ObjectSpec(ObjectClass.Circle, "red", ShapeSize.Small, Movement.Spinning).Problem());
        var cat = new ObjectSpec(ObjectClass.Cat, null, ShapeSize.Small);
        Assert.Contains("differ", new ClipSpec(Category.Attribute, Scene.Black, new[] { cat, cat }).Problem());
        Assert.Contains("relation", new ClipSpec(Category.Spatial, Scene.Black, new[] { cat, cat with { Class = ObjectClass.Dog } }).Problem());
        var e = Assert.Throws<ArgumentException>(() => new ClipSpec(Category.Numeracy, Scene.Black, new[] { cat, cat, cat, cat }).Validated());
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("--resolution 16", Assert.Throws<ArgumentException>(() => new WorldGeometry { Resolution = 16 }.Validate()).Message);
        Assert.StartsWith("--frames 2", Assert.Throws<ArgumentException>(() => new WorldGeometry { Frames = 2 }.Validate()).Message);
        Assert.Throws<ArgumentException>(() => new WorldGeometry { SmallRadius = 0.2f, LargeRadius = 0.1f }.Validate());
    }

    [EmojiFact]
    public void Other_sizes_and_lengths_render_at_their_own_scale()
    {
        var world = fixture.World(new WorldGeometry { Resolution = 96, Frames = 6, Fps = 12 });
        var clip = world.TrainingClip(0, 3, Category.Motion);
        Assert.Equal((6, 96, 96, 12.0), (clip.Video.Frames, clip.Video.Height, clip.Video.Width, clip.Video.Fps));
        var o = clip.Spec.Objects[0];
        Assert.Equal(world.Geometry.Travel(o.Speed), MathF.Abs(clip.Layout.Tracks[0][^1].X - clip.Layout.Tracks[0][0].X) + MathF.Abs(clip.Layout.Tracks[0][^1].Y - clip.Layout.Tracks[0][0].Y), 3);
        Assert.Equal(world.Geometry.Radius(o.Size), clip.Layout.Tracks[0][0].Radius);
    }
}
