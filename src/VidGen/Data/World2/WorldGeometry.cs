namespace VidGen.Data.World2;

/// <summary>
/// Sizes, distances and speeds of the second world, as fractions of the frame side so they mean the same at
/// every resolution. The renderer lays clips out with them and the judge reads clips back with them, so the
/// two never disagree. Speeds come in three steps whose ratios (about 1.4 to 1.9) leave the judge a margin of
/// about 20% either side of each step when it splits at their geometric means.
/// </summary>
public sealed record WorldGeometry
{
    /// <summary>Frame side in pixels (frames are square).</summary>
    public int Resolution { get; init; } = 64;
    public int Frames { get; init; } = 16;
    public double Fps { get; init; } = 8;

    /// <summary>Half side of a small object's box, as a fraction of the frame side (5.4 px at 64 px).</summary>
    public float SmallRadius { get; init; } = 0.085f;
    /// <summary>Half side of a large object's box (8.0 px at 64 px): two large objects side by side fill half a row.</summary>
    public float LargeRadius { get; init; } = 0.125f;

    /// <summary>Smallest gap between two objects' boxes in any frame, in pixels (so a judge can tell them apart).</summary>
    public float Gap => MathF.Max(3f, 0.07f * Resolution);

    /// <summary>
    /// Most of a row that objects' boxes may cover in one frame: half, so in every row most pixels are background
    /// and the row's median is the background (a judge's estimate); two large objects still fit side by side.
    /// </summary>
    public float MaxRowCover => 0.5f * Resolution;

    public void Validate()
    {
        if (Resolution is < 32 or > 256) throw new ArgumentException($"--resolution {Resolution}: the second world renders 32 to 256 pixels");
        if (Frames is < 4 or > 256) throw new ArgumentException($"--frames {Frames}: the second world needs 4 to 256 frames (speeds and actions are spread over the clip)");
        if (!(Fps > 0 && Fps <= 100)) throw new ArgumentException($"--fps {Fps}: use a rate above 0 and at most 100");
        if (!(SmallRadius >= 0.03f && SmallRadius < LargeRadius && LargeRadius <= 0.35f))
            throw new ArgumentException($"object sizes {SmallRadius} and {LargeRadius}: use 0.03 <= small < large <= 0.35 of the frame side");
    }

    public float Radius(ShapeSize size) => Resolution * (size == ShapeSize.Small ? SmallRadius : LargeRadius);

    /// <summary>The size boundary a judge uses: the geometric mean of the two radii, in pixels.</summary>
    public float SizeSplit => Resolution * MathF.Sqrt(SmallRadius * LargeRadius);

    /// <summary>Distance a translating object's centre covers over the clip, in pixels.</summary>
    public float Travel(Speed speed) => Resolution * TravelShare(speed);

    public static float TravelShare(Speed speed) => speed switch { Speed.Slow => 0.2f, Speed.Fast => 0.5f, _ => 0.35f };

    /// <summary>Total turn of a spinning object over the clip, in degrees (fast: 28 degrees a frame at 16 frames, under the star's 36-degree half period).</summary>
    public static float SpinDegrees(Speed speed) => speed switch { Speed.Slow => 120f, Speed.Fast => 420f, _ => 240f };

    /// <summary>Last-to-first radius ratio of a growing object (its inverse for shrinking).</summary>
    public static float GrowthRatio(Speed speed) => speed switch { Speed.Slow => 1.6f, Speed.Fast => 3.0f, _ => 2.2f };

    /// <summary>Bounces over the clip.</summary>
    public static int Bounces(Speed speed) => speed switch { Speed.Slow => 1, Speed.Fast => 3, _ => 2 };

    /// <summary>Height of a bounce, in pixels.</summary>
    public float BounceHeight => 0.22f * Resolution;

    /// <summary>How far each of two interacting objects moves over the clip, in pixels.</summary>
    public float InteractionTravel => 0.13f * Resolution;

    /// <summary>A growing or shrinking object's radius halfway through the clip: between small and large.</summary>
    public float MidRadius => SizeSplit;

    /// <summary>Where frame <paramref name="f"/> is in the clip, 0 to 1.</summary>
    public float Time(int f) => Frames == 1 ? 0 : f / (float)(Frames - 1);

    /// <summary>
    /// Weight of the new colour at time t of a colour change: the old colour for the first quarter, a linear
    /// blend over the middle half, the new colour for the last quarter (so a judge reads each end cleanly).
    /// </summary>
    public static float ColourBlend(float t) => Math.Clamp((t - 0.25f) / 0.5f, 0f, 1f);
}
