using System.Text.Json.Nodes;

namespace VidGen.Data.World2;

/// <summary>
/// The JSON of specs and tracks, as <c>captions.jsonl</c> and the evaluation reports write them: snake_case
/// names, lower-case terms, every attribute of every object (class, colour, colour_to, size, size_named,
/// movement, speed) and, when laid out, its track (per frame x, y, radius in pixels and angle in degrees,
/// rounded to 0.01).
/// </summary>
public static class World2Json
{
    public static JsonObject Spec(ClipSpec spec, Layout? layout = null)
    {
        var objects = new JsonArray();
        for (int i = 0; i < spec.Objects.Count; i++)
            objects.Add(ObjectNode(spec.Objects[i], layout?.Tracks[i]));
        return new JsonObject
        {
            ["category"] = Terms.Name(spec.Category),
            ["scene"] = Terms.Name(spec.Scene),
            ["count"] = spec.Count,
            ["relation"] = spec.Relation is Relation r ? Terms.Name(r) : null,
            ["interaction"] = spec.Interaction is Interaction n ? Terms.Name(n) : null,
            ["objects"] = objects,
        };
    }

    public static JsonObject ObjectNode(ObjectSpec o, IReadOnlyList<TrackPoint>? track = null)
    {
        var node = new JsonObject
        {
            ["class"] = Terms.Name(o.Class),
            ["colour"] = o.Colour,
            ["colour_to"] = o.ColourTo,
            ["size"] = Terms.Name(o.Size),
            ["size_named"] = o.SizeNamed,
            ["movement"] = Terms.Name(o.Movement),
            ["speed"] = Terms.Name(o.Speed),
        };
        if (track is not null) node["track"] = Track(track);
        return node;
    }

    /// <summary>A track as four parallel arrays (x, y, radius, angle), one value per frame.</summary>
    public static JsonObject Track(IReadOnlyList<TrackPoint> track)
    {
        JsonArray Of(Func<TrackPoint, float> pick) => new(track.Select(p => (JsonNode?)JsonValue.Create(Math.Round(pick(p), 2))).ToArray());
        return new JsonObject { ["x"] = Of(p => p.X), ["y"] = Of(p => p.Y), ["radius"] = Of(p => p.Radius), ["angle"] = Of(p => p.Angle) };
    }

    /// <summary>One manifest line: the clip's path and caption (what <c>train --data</c> reads), the held-out kinds, and the spec with tracks.</summary>
    public static JsonObject Row(string path, World2Clip clip)
    {
        var row = new JsonObject
        {
            ["path"] = path,
            ["caption"] = clip.Caption,
            ["held_out"] = clip.IsHeldOut,
            ["held_out_kinds"] = new JsonArray(clip.HeldOutKinds.Select(k => (JsonNode?)HeldOut.Name(k)).ToArray()),
        };
        foreach (var (key, value) in Spec(clip.Spec, clip.Layout)) row[key] = value?.DeepClone();
        return row;
    }
}
