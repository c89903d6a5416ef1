// Tests run one at a time: libtorch's global RNG (used by module initialisers) and its thread pool are
// process-wide, so parallel test classes made "fixed seed" results depend on scheduling.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
