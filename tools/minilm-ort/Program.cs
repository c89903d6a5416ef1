using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using VidGen.Models.TextEncoders;
using VidGen.Text;

// dotnet run --project tools/minilm-ort -c Release [-- THREADS [REPEATS]]
// Same prompts and tokenizer as MiniLm.Measure, padded to the longest prompt (the graph has no way to skip padding,
// which our BertTextModel does in its dense layers); each engine in its own process so the memory figures do not mix.
int threads = args.Length > 0 ? int.Parse(args[0]) : 2;
int repeats = args.Length > 1 ? int.Parse(args[1]) : 20;
static long RssMiB() { using var p = Process.GetCurrentProcess(); return p.WorkingSet64 / (1024 * 1024); }

long before = RssMiB();
var sw = Stopwatch.StartNew();
WordPieceTokenizer tokenizer;
InferenceSession session;
using (var package = MiniLmPackage.Open(MiniLmPackage.Locate()))
{
    tokenizer = new WordPieceTokenizer(package.Vocabulary(), PretrainedTextEncoder.DefaultMaxLength);
    var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
    session = new InferenceSession(package.ModelBytes.ToArray(), options);
}
double load = sw.Elapsed.TotalSeconds;
GC.Collect();
long afterLoad = RssMiB();

var prompts = MiniLm.MeasurePrompts;
var times = new List<double>();
int used = 0;
for (int r = 0; r < repeats; r++)
{
    sw.Restart();
    var encoded = prompts.Select(tokenizer.Encode).ToList();
    used = encoded.Max(e => e.Mask.Count(m => m));
    int b = prompts.Length;
    var ids = new long[b * used];
    var mask = new long[b * used];
    for (int i = 0; i < b; i++)
        for (int t = 0; t < used; t++) { ids[i * used + t] = encoded[i].Ids[t]; mask[i * used + t] = encoded[i].Mask[t] ? 1 : 0; }
    int[] dims = { b, used };
    using var results = session.Run(new[]
    {
        NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, dims)),
        NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, dims)),
        NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[b * used], dims)),
    });
    var hidden = results.First().AsTensor<float>().ToArray(); // (B, U, D), as our encoder hands over its states
    times.Add(sw.Elapsed.TotalMilliseconds);
}
GC.Collect();
long afterEncode = RssMiB();
var sorted = times.Order().ToList();
Console.WriteLine($"ONNX Runtime {typeof(InferenceSession).Assembly.GetName().Version} ({MiniLmPackage.Name}) on {threads} thread(s): load {load:F2} s; " +
    $"encode {prompts.Length} prompts (padded to the longest, {used} tokens): first {times[0]:F1} ms, median {sorted[sorted.Count / 2]:F1} ms, best {sorted[0]:F1} ms; " +
    $"resident memory {before} -> {afterLoad} MiB after load, {afterEncode} MiB after encoding (+{afterEncode - before} MiB)");
session.Dispose();
