using VidGen.Data;
using VidGen.Data.World2;
using VidGen.Media;

namespace VidGen.Evaluation.World2;

/// <summary>
/// Reads a second-world clip back: the scene, and per object its class, colour (and the colour it turns into),
/// size, track, movement and speed; the count is the number of objects, relations and interaction follow
/// from the tracks (<see cref="ClipReading"/>).
/// <para>1. Background: per-row medians over the clip (<see cref="ClipBackground"/>); the scene is the
/// prototype that fits those rows best under a gain and offset.</para>
/// <para>2. Objects: per frame, pixels differing from the background (by more than a noise-scaled threshold
/// both on their own and after a 3 x 3 smoothing, so single noisy pixels drop out) form 8-connected blobs;
/// blobs within a pixel of each other merge (an emoji's parts), tiny ones drop. The count is the most
/// common number of blobs per frame, and blobs are linked into tracks by nearest centre.</para>
/// <para>3. Movement from the tracks: net least-squares displacement (a translation and its speed), a
/// vertical oscillation that returns (bouncing, counted bounces), the blob's area growing or shrinking, or
/// (for an object that stays put at its size but changes its look) spinning, read by tracking the best
/// template angle frame to frame.</para>
/// <para>4. Class by template matching against the artwork itself at the detected scale (see
/// <see cref="TemplateMatcher"/>): every class is fitted coarsely on one frame, the three best are refined on
/// four frames, and then vote with every other frame (the pose carried from the nearest fitted frame, the best of a
/// half-pixel grid): the lowest total residual wins. A shape's colour is the palette colour
/// that fits it best (on the first frame, and on the last for a colour change); the size is the fitted radius
/// against the geometric mean of the small and large radii.</para>
/// </summary>
public sealed class World2Judge
{
    readonly ObjectArt art;

    /// <summary>Classes refined after the coarse pass.</summary>
    public int Shortlist { get; init; } = 3;

    /// <summary>Net travel, as a share of the frame side, from which an object counts as translating (the slowest travel is 0.2).</summary>
    public float MinTravel { get; init; } = 0.12f;

    public World2Judge(ObjectArt art) => this.art = art;

    /// <summary>The artwork the templates come from.</summary>
    public ObjectArt Art => art;

    /// <summary>Reads <paramref name="clip"/> (any size; geometry scales with its side and frame count).</summary>
    public ClipReading Read(Video clip)
    {
        var g = new WorldGeometry { Resolution = Math.Min(clip.Width, clip.Height), Frames = clip.Frames, Fps = clip.Fps };
        var background = new ClipBackground(clip);
        var (scene, sceneError) = background.ClassifyScene();
        var blobs = Segment(clip, background, g);
        var tracks = Link(blobs, clip.Frames, g);
        var matcher = new TemplateMatcher(art, clip);
        if (tracks.Count > 0) matcher.Blur = EstimateBlur(tracks, blobs, clip, background, matcher);
        var objects = new List<ObjectReading>();
        foreach (var track in tracks)
            objects.Add(ReadObject(track, blobs, clip, background, matcher, g));
        // Reading order: left to right, then top to bottom, so the JSON of a clip is stable.
        objects.Sort((a, b) => a.Centre.X != b.Centre.X ? a.Centre.X.CompareTo(b.Centre.X) : a.Centre.Y.CompareTo(b.Centre.Y));
        return new ClipReading(scene, objects, sceneError);
    }

    /// <summary>
    /// The template blur that best explains the clip: on the two largest objects' middle frames, the two classes
    /// that fit each best unblurred are refitted at each blur level, and the level with the lowest total residual
    /// wins (a higher level must lower it by 0.5%, so sharp clips stay sharp).
    /// </summary>
    int EstimateBlur(List<Blob?[]> tracks, List<Blob>[] blobs, Video v, ClipBackground bg, TemplateMatcher matcher)
    {
        var probes = new List<(TemplateMatcher.Region Region, (ObjectClass Class, (TrackPoint Pose, TemplateMatcher.Fit Fit) Fit)[] Candidates)>();
        matcher.Blur = 0;
        foreach (var track in tracks.OrderByDescending(t => t.Where(b => b is not null).Average(b => b!.Pixels.Count)).Take(2))
        {
            var seen = Enumerable.Range(0, track.Length).Where(t => track[t] is not null).ToArray();
            var blob = track[seen[seen.Length / 2]]!;
            var region = RegionAround(blob, blobs[blob.Frame], v, bg);
            var candidates = Terms.Classes
                .Select(c => (Class: c, Fit: matcher.Refine(c, Initial(c, blob), region, levels: 1, iterations: 1)))
                .OrderBy(x => x.Fit.Fit.Ssd).Take(2).ToArray();
            probes.Add((region, candidates));
        }
        int best = 0; double bestSsd = double.MaxValue;
        for (int level = 0; level <= TemplateMatcher.MaxBlur; level++)
        {
            matcher.Blur = level;
            double ssd = probes.Sum(p => p.Candidates.Min(c => matcher.Refine(c.Class, c.Fit.Pose, p.Region, levels: 2, firstLevel: 1, iterations: 2).Fit.Ssd));
            if (ssd < 0.995 * bestSsd) { best = level; bestSsd = ssd; }
        }
        return best;
    }

    /// <summary>A blob: its pixels, box (x1, y1 exclusive) and centroid weighted by how far each pixel is from the background.</summary>
    internal sealed record Blob(int Frame, List<int> Pixels, int X0, int Y0, int X1, int Y1, float Cx, float Cy, float Mass)
    {
        public int Width => X1 - X0;
        public int Height => Y1 - Y0;
    }

    /// <summary>Per frame, the blobs of pixels that differ from the background.</summary>
    static List<Blob>[] Segment(Video v, ClipBackground bg, WorldGeometry g)
    {
        int f = v.Frames, h = v.Height, w = v.Width;
        var px = v.Pixels;
        // Thresholds: 0.12 (raw) and 0.08 (smoothed) on a clean clip, growing with the noise level.
        float noise = bg.Noise;
        float rawThreshold = MathF.Max(0.12f, 4f * noise), smoothThreshold = MathF.Max(0.08f, 2f * noise);
        int minPixels = Math.Max(4, (int)(0.1f * 4 * g.Radius(ShapeSize.Small) * g.Radius(ShapeSize.Small)));
        var result = new List<Blob>[f];
        var res = new float[h * w * 3];
        var dist = new float[h * w];
        var mask = new bool[h * w];
        var label = new int[h * w];
        for (int t = 0; t < f; t++)
        {
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int i = ((t * h + y) * w + x) * 3, j = (y * w + x) * 3;
                    for (int c = 0; c < 3; c++) res[j + c] = px[i + c] - bg.At(t, y, c);
                    dist[y * w + x] = MathF.Sqrt(res[j] * res[j] + res[j + 1] * res[j + 1] + res[j + 2] * res[j + 2]);
                }
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int k = y * w + x;
                    if (dist[k] <= rawThreshold) { mask[k] = false; continue; }
                    float s0 = 0, s1 = 0, s2 = 0; int n = 0;
                    for (int yy = Math.Max(0, y - 1); yy <= Math.Min(h - 1, y + 1); yy++)
                        for (int xx = Math.Max(0, x - 1); xx <= Math.Min(w - 1, x + 1); xx++)
                        {
                            int j = (yy * w + xx) * 3;
                            s0 += res[j]; s1 += res[j + 1]; s2 += res[j + 2]; n++;
                        }
                    s0 /= n; s1 /= n; s2 /= n;
                    mask[k] = MathF.Sqrt(s0 * s0 + s1 * s1 + s2 * s2) > smoothThreshold;
                }
            Array.Clear(label);
            var blobs = new List<Blob>();
            var stack = new Stack<int>();
            for (int start = 0; start < h * w; start++)
            {
                if (!mask[start] || label[start] != 0) continue;
                label[start] = blobs.Count + 1;
                stack.Push(start);
                var pixels = new List<int>();
                while (stack.Count > 0)
                {
                    int k = stack.Pop();
                    pixels.Add(k);
                    int x = k % w, y = k / w;
                    for (int yy = Math.Max(0, y - 1); yy <= Math.Min(h - 1, y + 1); yy++)
                        for (int xx = Math.Max(0, x - 1); xx <= Math.Min(w - 1, x + 1); xx++)
                        {
                            int q = yy * w + xx;
                            if (mask[q] && label[q] == 0) { label[q] = blobs.Count + 1; stack.Push(q); }
                        }
                }
                blobs.Add(MakeBlob(t, pixels, dist, w));
            }
            result[t] = MergeNear(blobs, dist, w).Where(b => b.Pixels.Count >= minPixels).ToList();
        }
        return result;
    }

    static Blob MakeBlob(int frame, List<int> pixels, float[] dist, int w)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = 0, y1 = 0;
        double m = 0, sx = 0, sy = 0;
        foreach (int k in pixels)
        {
            int x = k % w, y = k / w;
            x0 = Math.Min(x0, x); y0 = Math.Min(y0, y); x1 = Math.Max(x1, x + 1); y1 = Math.Max(y1, y + 1);
            float d = dist[k];
            m += d; sx += d * (x + 0.5); sy += d * (y + 0.5);
        }
        return new Blob(frame, pixels, x0, y0, x1, y1, (float)(sx / m), (float)(sy / m), (float)m);
    }

    /// <summary>Merges small blobs with a pixel of gap to a larger one: the parts of one emoji (a rocket and its sparks).</summary>
    static List<Blob> MergeNear(List<Blob> blobs, float[] dist, int w)
    {
        bool merged = true;
        while (merged && blobs.Count > 1)
        {
            merged = false;
            for (int i = 0; i < blobs.Count && !merged; i++)
                for (int j = i + 1; j < blobs.Count && !merged; j++)
                {
                    var (a, b) = (blobs[i], blobs[j]);
                    int gapX = Math.Max(a.X0, b.X0) - Math.Min(a.X1, b.X1), gapY = Math.Max(a.Y0, b.Y0) - Math.Min(a.Y1, b.Y1);
                    if (gapX > 1 || gapY > 1) continue;
                    // A fragment (a quarter of the other's pixels at most) one pixel away is part of the same emoji;
                    // two objects (at least 4.5 px apart in the world, nearer only when blurred) stay apart.
                    if (Math.Min(a.Pixels.Count, b.Pixels.Count) > 0.25 * Math.Max(a.Pixels.Count, b.Pixels.Count)) continue;
                    if (!PixelsWithin(a, b, w, 2)) continue;
                    var pixels = new List<int>(a.Pixels.Count + b.Pixels.Count);
                    pixels.AddRange(a.Pixels); pixels.AddRange(b.Pixels);
                    blobs[i] = MakeBlob(a.Frame, pixels, dist, w);
                    blobs.RemoveAt(j);
                    merged = true;
                }
        }
        return blobs;
    }

    static bool PixelsWithin(Blob a, Blob b, int w, int distance)
    {
        var (small, large) = a.Pixels.Count <= b.Pixels.Count ? (a, b) : (b, a);
        var set = large.Pixels.ToHashSet();
        foreach (int k in small.Pixels)
        {
            int x = k % w, y = k / w;
            for (int dy = -distance; dy <= distance; dy++)
                for (int dx = -distance; dx <= distance; dx++)
                {
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || xx >= w || yy < 0) continue;
                    if (set.Contains(yy * w + xx)) return true;
                }
        }
        return false;
    }

    /// <summary>
    /// Links blobs into at most three tracks: the count is the most common number of blobs in a frame (ties to
    /// the larger); frames with exactly that many are matched to the previous positions by the permutation with
    /// the least total distance, other frames give each track its nearest unused blob within a quarter of the
    /// side. Tracks seen in fewer than half the frames are dropped.
    /// </summary>
    static List<Blob?[]> Link(List<Blob>[] blobs, int frames, WorldGeometry g)
    {
        var counts = blobs.Select(b => Math.Min(b.Count, 3)).ToArray();
        int n = counts.GroupBy(c => c).OrderByDescending(x => x.Count()).ThenByDescending(x => x.Key).First().Key;
        var tracks = new List<Blob?[]>();
        if (n == 0) return tracks;
        for (int i = 0; i < n; i++) tracks.Add(new Blob?[frames]);
        var last = new (float X, float Y)?[n];
        int first = Array.FindIndex(counts, c => c == n);
        // Start from the first frame with the full count, in x order, then walk forwards and backwards from it.
        var seed = blobs[first].OrderByDescending(b => b.Pixels.Count).Take(n).OrderBy(b => b.Cx).ThenBy(b => b.Cy).ToList();
        for (int i = 0; i < n; i++) { tracks[i][first] = seed[i]; last[i] = (seed[i].Cx, seed[i].Cy); }
        void Walk(IEnumerable<int> order)
        {
            var pos = tracks.Select(t => (t[first]!.Cx, t[first]!.Cy)).ToArray();
            foreach (int t in order)
            {
                var candidates = blobs[t];
                var assignment = Assign(pos, candidates, 0.25f * g.Resolution);
                for (int i = 0; i < n; i++)
                    if (assignment[i] is Blob b) { tracks[i][t] = b; pos[i] = (b.Cx, b.Cy); }
            }
        }
        Walk(Enumerable.Range(first + 1, frames - first - 1));
        Walk(Enumerable.Range(0, first).Reverse());
        return tracks.Where(t => t.Count(b => b is not null) * 2 >= frames).ToList();
    }

    /// <summary>Each track's blob in the next frame: the assignment with the least total distance, each within <paramref name="maxDistance"/>.</summary>
    static Blob?[] Assign((float X, float Y)[] pos, List<Blob> candidates, float maxDistance)
    {
        int n = pos.Length;
        var best = new Blob?[n];
        double bestCost = double.MaxValue;
        var current = new Blob?[n];
        var used = new bool[candidates.Count];
        void Search(int i, double cost, int matched, ref double bestC, Blob?[] bestA)
        {
            if (i == n)
            {
                // Prefer more matches, then less distance.
                double total = cost + (n - matched) * 1e6;
                if (total < bestC) { bestC = total; Array.Copy(current, bestA, n); }
                return;
            }
            current[i] = null;
            Search(i + 1, cost, matched, ref bestC, bestA);
            for (int k = 0; k < candidates.Count; k++)
            {
                if (used[k]) continue;
                var c = candidates[k];
                double d = Math.Sqrt((c.Cx - pos[i].X) * (c.Cx - pos[i].X) + (c.Cy - pos[i].Y) * (c.Cy - pos[i].Y));
                if (d > maxDistance) continue;
                used[k] = true; current[i] = c;
                Search(i + 1, cost + d, matched + 1, ref bestC, bestA);
                used[k] = false; current[i] = null;
            }
        }
        Search(0, 0, 0, ref bestCost, best);
        return best;
    }

    ObjectReading ReadObject(Blob?[] track, List<Blob>[] blobs, Video v, ClipBackground bg, TemplateMatcher matcher, WorldGeometry g, bool noSpin = false)
    {
        int frames = v.Frames;
        var seen = Enumerable.Range(0, frames).Where(t => track[t] is not null).ToArray();
        var (dx, dy) = Displacement(track, seen);
        float side = g.Resolution;
        float travel = MathF.Sqrt(dx * dx + dy * dy);
        float[] ys = seen.Select(t => track[t]!.Cy).ToArray(), xs = seen.Select(t => track[t]!.Cx).ToArray();
        float yRange = ys.Max() - ys.Min(), xRange = xs.Max() - xs.Min();
        int k = Math.Max(1, seen.Length / 5);
        float areaStart = (float)seen.Take(k).Average(t => track[t]!.Pixels.Count), areaEnd = (float)seen.TakeLast(k).Average(t => track[t]!.Pixels.Count);
        float areaRatio = MathF.Sqrt(areaEnd / MathF.Max(areaStart, 1));

        Movement movement = Movement.Still;
        if (travel >= MinTravel * side)
            movement = MathF.Abs(dx) >= MathF.Abs(dy) ? (dx < 0 ? Movement.Left : Movement.Right) : (dy < 0 ? Movement.Up : Movement.Down);
        else if (yRange >= 0.1f * side && xRange < 0.06f * side) movement = Movement.Bouncing;
        else if (areaRatio >= 1.25f) movement = Movement.Growing;
        else if (areaRatio <= 0.8f) movement = Movement.Shrinking;
        // A look that changes in place is a turn, unless the colour changes (which changes the look too; the world
        // never turns a colour-changing object).
        bool colourChanges = ColourChanges(track, seen, v, bg);
        if (movement is Movement.Still && !noSpin && !colourChanges && AppearanceChanges(track, seen, v, bg)) movement = Movement.Spinning;

        // Frames to fit templates on: four spread over the clip (noise averages out over them); when the colour
        // changes, two from each end's fifth (the change is complete there, mid-way it is a blend no palette colour
        // fits); a turning object only its first (it starts upright).
        int[] fitFrames;
        if (movement == Movement.Spinning) fitFrames = new[] { seen[0] };
        else if (colourChanges)
        {
            var early = seen.Where(t => t <= 0.2f * (frames - 1)).DefaultIfEmpty(seen[0]);
            var late = seen.Where(t => t >= 0.8f * (frames - 1)).DefaultIfEmpty(seen[^1]);
            fitFrames = new[] { seen[0], early.Last(), late.First(), seen[^1] }.Distinct().ToArray();
        }
        else fitFrames = new[] { seen[0], seen[seen.Length / 3], seen[2 * seen.Length / 3], seen[^1] }.Distinct().ToArray();
        var regions = fitFrames.ToDictionary(t => t, t => RegionAround(track[t]!, blobs[t], v, bg));

        // Coarse pass over every class on the fitted frame where the object is largest, then the best few refined
        // on all fitted frames.
        int mid = fitFrames.OrderByDescending(t => track[t]!.Pixels.Count).First();
        var coarse = Terms.Classes.Select(c => (Class: c, Fit: Coarse(c, track[mid]!, regions[mid], matcher)))
            .OrderBy(x => x.Fit.Fit.Ssd).Take(Shortlist).ToArray();
        ObjectClass best = coarse[0].Class;
        double bestTotal = double.MaxValue;
        var bestFits = new Dictionary<int, (TrackPoint Pose, TemplateMatcher.Fit Fit)>();
        // The frames that vote: every other seen frame and the fitted ones (noise averages out over them), but only
        // each end's fifth when the colour changes; a turning object only its first.
        int[] voters = movement == Movement.Spinning ? new[] { seen[0] }
            : colourChanges ? seen.Where(t => t <= 0.2f * (frames - 1) || t >= 0.8f * (frames - 1)).ToArray()
            : seen.Where((t, i) => i % 2 == 0 || fitFrames.Contains(t)).ToArray();
        var voterRegions = voters.ToDictionary(t => t, t => regions.TryGetValue(t, out var r) ? r : RegionAround(track[t]!, blobs[t], v, bg));
        foreach (var (c, coarseFit) in coarse)
        {
            var fits = new Dictionary<int, (TrackPoint Pose, TemplateMatcher.Fit Fit)>();
            // The reference frame from its coarse pose, the others from it moved with the blob (their own scale
            // search follows a growing object), at half-pixel steps sampled once per pixel.
            var midFit = matcher.Refine(c, coarseFit.Pose, regions[mid], levels: 2, firstLevel: 1);
            foreach (int t in fitFrames)
                fits[t] = t == mid ? midFit : matcher.Refine(c, Moved(midFit.Pose, track[mid]!, track[t]!), regions[t], levels: 2, firstLevel: 0, iterations: 2);
            // The vote: in every voting frame the pose carried from the nearest fitted frame, best of a 3 x 3 half-pixel grid.
            double total = 0;
            foreach (int t in voters)
            {
                if (fits.TryGetValue(t, out var fitted)) { total += fitted.Fit.Ssd; continue; }
                int near = fitFrames.OrderBy(u => Math.Abs(u - t)).First();
                var pose = Moved(fits[near].Pose, track[near]!, track[t]!);
                double bestHere = double.MaxValue;
                for (int oy = -1; oy <= 1; oy++)
                    for (int ox = -1; ox <= 1; ox++)
                        bestHere = Math.Min(bestHere, matcher.Score(c, pose with { X = pose.X + 0.5f * ox, Y = pose.Y + 0.5f * oy }, voterRegions[t], 1).Ssd);
                total += bestHere;
            }
            if (total < bestTotal) { bestTotal = total; best = c; bestFits = fits; }
        }
        bestTotal = fitFrames.Sum(t => bestFits[t].Fit.Ssd);
        // The winner at quarter-pixel steps, sampled as the renderer samples: its exact pose, radius and colour.
        foreach (int t in fitFrames)
        {
            var r = matcher.Refine(best, bestFits[t].Pose, regions[t], levels: 3, firstLevel: 2, iterations: 2);
            bestTotal += r.Fit.Ssd - bestFits[t].Fit.Ssd;
            bestFits[t] = r;
        }

        var angles = new float[frames];
        if (movement == Movement.Spinning)
        {
            var turned = TrackAngle(best, bestFits[fitFrames[0]].Pose, seen, track, blobs, v, bg, matcher, angles);
            if (MathF.Abs(turned) < 60f || !Terms.CanSpin(best))
            {
                // Not turning after all (noise changed its look, or it is a circle, whose turn cannot be seen): read
                // it as a still object, from several frames.
                Array.Clear(angles);
                var still = ReadObject(track, blobs, v, bg, matcher, g, noSpin: true);
                return still;
            }
            // The last frame at its tracked angle, for the colour and radius at the end.
            int end = seen[^1];
            if (end != fitFrames[0])
            {
                var region = RegionAround(track[end]!, blobs[end], v, bg);
                var start = bestFits[fitFrames[0]].Pose with { Angle = angles[end] };
                bestFits[end] = matcher.Refine(best, Moved(start, track[fitFrames[0]]!, track[end]!) with { Radius = start.Radius }, region, firstLevel: 1, iterations: 2);
                fitFrames = new[] { fitFrames[0], end };
            }
        }

        // Colour (shapes): the fitted colour on the first and the last fitted frame.
        string? colour = null, colourTo = null;
        if (Terms.IsShape(best))
        {
            colour = bestFits[fitFrames[0]].Fit.Colour;
            string? end = bestFits[fitFrames[^1]].Fit.Colour;
            if (end != colour) colourTo = end;
        }

        // The fitted pose's offset from the blob centroid (an emoji's visible centre is not its box centre).
        float offX = (float)fitFrames.Average(t => bestFits[t].Pose.X - track[t]!.Cx), offY = (float)fitFrames.Average(t => bestFits[t].Pose.Y - track[t]!.Cy);
        float rFirst = bestFits[fitFrames[0]].Pose.Radius, rLast = bestFits[fitFrames[^1]].Pose.Radius;
        float rMedian = fitFrames.Select(t => bestFits[t].Pose.Radius).OrderBy(r => r).ElementAt(fitFrames.Length / 2);

        Speed speed = Speed.Normal;
        switch (movement)
        {
            case Movement.Left or Movement.Right or Movement.Up or Movement.Down:
                speed = Split(travel / side, WorldGeometry.TravelShare(Speed.Slow), WorldGeometry.TravelShare(Speed.Normal), WorldGeometry.TravelShare(Speed.Fast));
                break;
            case Movement.Growing or Movement.Shrinking:
                {
                    float ratio = movement == Movement.Growing ? rLast / rFirst : rFirst / rLast;
                    speed = Split(ratio, WorldGeometry.GrowthRatio(Speed.Slow), WorldGeometry.GrowthRatio(Speed.Normal), WorldGeometry.GrowthRatio(Speed.Fast));
                    break;
                }
            case Movement.Spinning:
                {
                    float turned = MathF.Abs(angles[seen[^1]] - angles[seen[0]]);
                    speed = Split(turned, WorldGeometry.SpinDegrees(Speed.Slow), WorldGeometry.SpinDegrees(Speed.Normal), WorldGeometry.SpinDegrees(Speed.Fast));
                    break;
                }
            case Movement.Bouncing:
                {
                    int bounces = CountBounces(ys);
                    speed = bounces <= 1 ? Speed.Slow : bounces >= 3 ? Speed.Fast : Speed.Normal;
                    break;
                }
        }

        // The track: every frame's centre (blob centroid plus the fitted offset; frames without a blob take the
        // nearest seen one), the radius (interpolated in log between the first and last fit when it changes).
        var points = new TrackPoint[frames];
        for (int t = 0; t < frames; t++)
        {
            int near = seen.OrderBy(s => Math.Abs(s - t)).First();
            var b = track[near]!;
            float time = frames == 1 ? 0 : t / (float)(frames - 1);
            float radius = Terms.ChangesSize(movement) ? rFirst * MathF.Pow(rLast / rFirst, time) : rMedian;
            float x = movement == Movement.Spinning ? bestFits[fitFrames[0]].Pose.X : b.Cx + offX;
            float y = movement == Movement.Spinning ? bestFits[fitFrames[0]].Pose.Y : b.Cy + offY;
            points[t] = new TrackPoint(x, y, radius, angles[t]);
        }
        var size = rMedian < g.SizeSplit ? ShapeSize.Small : ShapeSize.Large;
        float fitError = (float)Math.Sqrt(bestTotal / Math.Max(1, fitFrames.Sum(t => bestFits[t].Fit.Pixels) * 3));
        return new ObjectReading(best, colour, colourTo, size, movement, speed, points, seen.Length, fitError);
    }

    /// <summary>The step of three whose value is nearest <paramref name="x"/> on a log scale (split at geometric means).</summary>
    static Speed Split(float x, float slow, float normal, float fast) =>
        x < MathF.Sqrt(slow * normal) ? Speed.Slow : x >= MathF.Sqrt(normal * fast) ? Speed.Fast : Speed.Normal;

    /// <summary>Least-squares centroid velocity times (frames - 1): the net displacement over the clip, in pixels.</summary>
    static (float Dx, float Dy) Displacement(Blob?[] track, int[] seen)
    {
        if (seen.Length < 2) return (0, 0);
        double st = 0, sx = 0, sy = 0, stt = 0, stx = 0, sty = 0;
        foreach (int t in seen)
        {
            var b = track[t]!;
            st += t; stt += (double)t * t; sx += b.Cx; sy += b.Cy; stx += t * b.Cx; sty += t * b.Cy;
        }
        int k = seen.Length;
        double den = k * stt - st * st;
        if (den <= 0) return (0, 0);
        int span = track.Length - 1;
        return ((float)((k * stx - st * sx) / den * span), (float)((k * sty - st * sy) / den * span));
    }

    /// <summary>
    /// Whether the blob's mean colour (its residual over the background, weighted by how far each pixel is from it)
    /// differs between the first and the last fifth of the clip by more than 0.25 (RGB distance, at full contrast).
    /// </summary>
    static bool ColourChanges(Blob?[] track, int[] seen, Video v, ClipBackground bg)
    {
        (float R, float G, float B) Mean(IEnumerable<int> frames)
        {
            double r = 0, g = 0, b = 0, m = 0;
            foreach (int t in frames)
                foreach (int k in track[t]!.Pixels)
                {
                    int x = k % v.Width, y = k / v.Width, i = ((t * v.Height + y) * v.Width + x) * 3;
                    float er = v.Pixels[i] - bg.At(t, y, 0), eg = v.Pixels[i + 1] - bg.At(t, y, 1), eb = v.Pixels[i + 2] - bg.At(t, y, 2);
                    float w = MathF.Sqrt(er * er + eg * eg + eb * eb);
                    r += w * v.Pixels[i]; g += w * v.Pixels[i + 1]; b += w * v.Pixels[i + 2]; m += w;
                }
            return m <= 0 ? (0, 0, 0) : ((float)(r / m), (float)(g / m), (float)(b / m));
        }
        int k5 = Math.Max(1, seen.Length / 5);
        var (a, b) = (Mean(seen.Take(k5)), Mean(seen.TakeLast(k5)));
        return MathF.Sqrt((a.R - b.R) * (a.R - b.R) + (a.G - b.G) * (a.G - b.G) + (a.B - b.B) * (a.B - b.B)) > 0.25f;
    }

    /// <summary>
    /// Share of a still object's patch energy its look must change by to be checked for spinning (a turning sun,
    /// the nearest to round of the emoji: 0.1 after 16 degrees; a still object under noise: about 0 once the noise's
    /// own share is taken off).
    /// </summary>
    const double ChangeShare = 0.03;

    /// <summary>Peaks of the height (lowest y) over the path, counting only peaks at least half the full range high.</summary>
    static int CountBounces(float[] ys)
    {
        float floor = ys.Max(), range = floor - ys.Min();
        if (range <= 0) return 0;
        int peaks = 0;
        bool up = false;
        foreach (float y in ys)
        {
            float height = (floor - y) / range;
            if (!up && height > 0.6f) { peaks++; up = true; }
            else if (up && height < 0.3f) up = false;
        }
        return peaks;
    }

    /// <summary>
    /// Whether an object that stays in place at the same size changes its look over the clip: its residual patch
    /// (pixels minus background) in any other frame differs from the first frame's by more than
    /// <see cref="ChangeShare"/> of their mean energy, after taking off what the background's noise level alone would
    /// give (twice its variance per value for a difference). Not smoothed: a turning sun shows only in its thin rays
    /// and its face, which a smoothing would wash out.
    /// </summary>
    static bool AppearanceChanges(Blob?[] track, int[] seen, Video v, ClipBackground bg)
    {
        int x0 = seen.Min(t => track[t]!.X0) - 1, y0 = seen.Min(t => track[t]!.Y0) - 1;
        int x1 = seen.Max(t => track[t]!.X1) + 1, y1 = seen.Max(t => track[t]!.Y1) + 1;
        x0 = Math.Max(0, x0); y0 = Math.Max(0, y0); x1 = Math.Min(v.Width, x1); y1 = Math.Min(v.Height, y1);
        int n = (y1 - y0) * (x1 - x0) * 3;
        float[] Patch(int t)
        {
            var p = new float[n];
            int i = 0;
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                    for (int c = 0; c < 3; c++) p[i++] = v.Pixels[((t * v.Height + y) * v.Width + x) * 3 + c] - bg.At(t, y, c);
            return p;
        }
        double variance = (double)bg.Noise * bg.Noise;
        var first = Patch(seen[0]);
        double e0 = first.Sum(x => (double)x * x) - variance * n;
        foreach (int t in seen.Where((_, i) => i % 2 == 1 || i == seen.Length - 1))
        {
            var p = Patch(t);
            double diff = 0, e = 0;
            for (int i = 0; i < p.Length; i++) { diff += (p[i] - first[i]) * (p[i] - first[i]); e += p[i] * p[i]; }
            if (diff - 2 * variance * n > ChangeShare * Math.Max(1e-9, (e0 + e - variance * n) / 2)) return true;
        }
        return false;
    }

    /// <summary>
    /// The angle a class looks the same after (square 90, triangle 120, star 72 degrees; the heart and the emoji
    /// only after a whole turn): a frame-to-frame turn can be followed up to just under half of it.
    /// </summary>
    static float SymmetryPeriod(ObjectClass c) => c switch
    {
        ObjectClass.Square => 90,
        ObjectClass.Triangle => 120,
        ObjectClass.Star => 72,
        _ => 360,
    };

    /// <summary>
    /// Follows a turning object's angle at the first frame's centre and radius: in the second frame the best angle
    /// within just under half the class's symmetry period (at most 88 degrees), in later frames the best within 14
    /// degrees of where the mean turn so far predicts (2-degree steps, then a parabola through the best three).
    /// Writes every frame's angle and returns the total turn in degrees. (A star looks the same after 72 degrees, so
    /// its turn per frame must stay under 34: the world's fast spin, 420 degrees over the clip, does from 14 frames on,
    /// and 16 are the default.)
    /// </summary>
    static float TrackAngle(ObjectClass cls, TrackPoint start, int[] seen, Blob?[] track, List<Blob>[] blobs, Video v, ClipBackground bg, TemplateMatcher matcher, float[] angles)
    {
        float angle = 0, rate = 0;
        int previous = seen[0];
        angles[previous] = 0;
        float half = SymmetryPeriod(cls) / 2 - 2;
        foreach (int t in seen.Skip(1))
        {
            var region = RegionAround(track[t]!, blobs[t], v, bg, pad: 0.6f * start.Radius);
            // The first step searches widely; later ones near where the turn so far predicts (a steady spin), so a
            // near-symmetric emoji (the sun's rays) cannot jump to a look-alike angle.
            bool firstStep = previous == seen[0];
            float predicted = angle + rate * (t - previous);
            float window = firstStep ? MathF.Min(88f, half) : MathF.Min(14f, half);
            int steps = (int)MathF.Floor(window / 2f);
            var scores = new double[2 * steps + 1];
            for (int s = -steps; s <= steps; s++)
                scores[s + steps] = matcher.Score(cls, start with { Angle = predicted + 2f * s }, region, 1).Ssd;
            int bi = Array.IndexOf(scores, scores.Min());
            float refine = 0;
            if (bi > 0 && bi < scores.Length - 1)
            {
                double a = scores[bi - 1], b = scores[bi], c = scores[bi + 1], den = a - 2 * b + c;
                if (den > 1e-12) refine = (float)Math.Clamp(0.5 * (a - c) / den, -0.5, 0.5);
            }
            float next = predicted + 2f * (bi - steps + refine);
            // Frames between two seen frames turn evenly.
            for (int u = previous + 1; u <= t; u++) angles[u] = angle + (next - angle) * (u - previous) / (t - previous);
            angle = next; previous = t;
            rate = angle / (t - seen[0]);
        }
        for (int u = previous + 1; u < angles.Length; u++) angles[u] = angle;
        return angles[seen[^1]] - angles[seen[0]];
    }

    /// <summary>
    /// The pixels a hypothesis is scored on: the blob's box widened by a third of its size (or <paramref name="pad"/>)
    /// plus a pixel, without the pixels of other blobs of the frame (their neighbourhood would pull a template towards them).
    /// </summary>
    static TemplateMatcher.Region RegionAround(Blob b, List<Blob> frameBlobs, Video v, ClipBackground bg, float? pad = null)
    {
        int m = (int)MathF.Ceiling(pad ?? 0.25f * Math.Max(b.Width, b.Height)) + 1;
        int x0 = Math.Max(0, b.X0 - m), y0 = Math.Max(0, b.Y0 - m);
        int x1 = Math.Min(v.Width, b.X1 + m), y1 = Math.Min(v.Height, b.Y1 + m);
        int w = x1 - x0, h = y1 - y0;
        var use = new bool[w * h];
        Array.Fill(use, true);
        foreach (var other in frameBlobs)
        {
            if (ReferenceEquals(other, b)) continue;
            foreach (int k in other.Pixels)
            {
                int x = k % v.Width, y = k / v.Width;
                for (int yy = y - 1; yy <= y + 1; yy++)
                    for (int xx = x - 1; xx <= x + 1; xx++)
                        if (xx >= x0 && xx < x1 && yy >= y0 && yy < y1) use[(yy - y0) * w + (xx - x0)] = false;
            }
        }
        return new TemplateMatcher.Region(v, bg, b.Frame, x0, y0, w, h, use);
    }

    /// <summary>
    /// A class's starting pose from a blob: the radius that makes the class's visible box as wide or as tall as the
    /// blob (whichever asks more), centred so the visible boxes coincide.
    /// </summary>
    /// <summary>
    /// A class's coarse fit: two short descents at whole-pixel steps, from the pose its visible box gives and from
    /// the one its covered area gives (noise and blur widen a blob's box; parts that match the background shrink
    /// it), the better kept.
    /// </summary>
    (TrackPoint Pose, TemplateMatcher.Fit Fit) Coarse(ObjectClass c, Blob b, TemplateMatcher.Region region, TemplateMatcher matcher)
    {
        var byBox = matcher.Refine(c, Initial(c, b), region, levels: 1, iterations: 2);
        var byArea = matcher.Refine(c, InitialByArea(c, b), region, levels: 1, iterations: 2);
        return byArea.Fit.Ssd < byBox.Fit.Ssd ? byArea : byBox;
    }

    /// <summary>The box radius whose glyph covers as many pixels as the blob, centred on the blob's centroid.</summary>
    TrackPoint InitialByArea(ObjectClass c, Blob b)
    {
        var glyph = art[c];
        float r = MathF.Max(1.5f, MathF.Sqrt(b.Pixels.Count / (4 * MathF.Max(glyph.Coverage, 0.05f))));
        var (u0, v0, u1, v1) = glyph.VisibleBox;
        return new TrackPoint(b.Cx - r * (u0 + u1) / 2, b.Cy - r * (v0 + v1) / 2, r, 0);
    }

    TrackPoint Initial(ObjectClass c, Blob b)
    {
        var (u0, v0, u1, v1) = art[c].VisibleBox;
        float r = MathF.Max(b.Width / MathF.Max(u1 - u0, 0.2f), b.Height / MathF.Max(v1 - v0, 0.2f));
        r = MathF.Max(r, 1.5f);
        float cx = (b.X0 + b.X1) / 2f - r * (u0 + u1) / 2, cy = (b.Y0 + b.Y1) / 2f - r * (v0 + v1) / 2;
        return new TrackPoint(cx, cy, r, 0);
    }

    /// <summary>A pose fitted on one frame carried to another by the blob's move (and its size change).</summary>
    static TrackPoint Moved(TrackPoint pose, Blob from, Blob to)
    {
        float scale = MathF.Sqrt(MathF.Max(to.Pixels.Count, 1) / (float)MathF.Max(from.Pixels.Count, 1));
        return new TrackPoint(to.Cx + (pose.X - from.Cx) * scale, to.Cy + (pose.Y - from.Cy) * scale, pose.Radius * scale, pose.Angle);
    }
}
