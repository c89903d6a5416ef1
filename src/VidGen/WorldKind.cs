namespace VidGen;

/// <summary>
/// The synthetic worlds a model can be trained on (names in Names.World). A model folder records its world in
/// config.json, so eval scores it on that world and the web page offers that world's example prompts.
/// </summary>
public enum WorldKind { Shapes, World2 }
