namespace VidGen.Bench.Levers;

/// <summary>
/// One lever: a change to how the same work is done, measured against a baseline in the same process. Written
/// like a benchmark class of BenchmarkDotNet (as ImageSharp's are): <see cref="Setup"/> once, a
/// <see cref="Baseline"/> and a <see cref="Variant"/> of the work, <see cref="Cleanup"/> once; the
/// <see cref="LeverRunner"/> interleaves the two so that drifts in machine load fall on both alike, then asks the
/// lever whether their outputs agree and what was decided.
/// </summary>
internal abstract class Lever : IDisposable
{
    /// <summary>The lever and the work it is measured on, e.g. "threads: training step".</summary>
    public abstract string Name { get; }
    public abstract string BaselineName { get; }
    public abstract string VariantName { get; }

    /// <summary>
    /// Levers measured together whose baselines are the same work (several kernels against one plain forward) give
    /// the same key: the runner times that baseline once per round for all of them.
    /// </summary>
    public virtual object BaselineKey => this;

    /// <summary>Builds what both arms need (inputs, a second model, a mode); the runner calls it before any timing.</summary>
    public virtual void Setup() { }
    public abstract void Baseline();
    public abstract void Variant();

    /// <summary>Largest |baseline output - variant output| where the two compute the same function; null where only speed is meaningful.</summary>
    public virtual double? MaxAbsDiff() => null;

    /// <summary>What was done with the lever, given the two median times.</summary>
    public abstract string Decision(double baselineSeconds, double variantSeconds);

    /// <summary>Undoes <see cref="Setup"/> and whatever the arms changed (threads, kernels, modes); called even when timing fails, and safe to call twice.</summary>
    public virtual void Cleanup() { }

    /// <summary>The same as <see cref="Cleanup"/>, so a lever can also be used in a <c>using</c>.</summary>
    public void Dispose() => Cleanup();
}
