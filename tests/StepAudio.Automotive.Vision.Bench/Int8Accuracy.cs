using System.Diagnostics;
using System.Globalization;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Quantization;
using StepAudio.Automotive.Tools.Vision;

namespace StepAudio.Automotive.Vision.Bench;

/// <summary>
/// `-- int8-accuracy [variants]`: quantizes the three face nets with several settings (activation percentile,
/// which compute nodes stay float) on the fetch-time calibration data, and compares each INT8 net with the FP32
/// one on face-api's six demo photos (never calibrated on: the calibration is generated gray IR-like video) in
/// RGB and gray: detector boxes (input 416 and 224), landmarks (px and % of the inter-ocular distance, fed the
/// FP32 boxes), expression probabilities; plus the CPU time per call (1 ORT thread, FP32 and INT8 alternating).
/// </summary>
internal static class Int8Accuracy
{
    private static readonly InferenceOptions Cpu = new() { Providers = [InferenceOptions.Cpu] };

    public static void Run(string[] args)
    {
        var store = ModelStore.Default();
        if (args is ["install"])
        {
            // What `models fetch` does: the shipped settings, into the model cache.
            VisionModelQuantization.QuantizeInstalled(store, Console.Out);
            return;
        }
        if (args is ["graph", var file])
        {
            // The graph ONNX Runtime's CPU provider runs (ORT_ENABLE_ALL), node by node.
            var optimized = Path.Combine(Path.GetTempPath(), "stepaudio-graph.optimized.onnx");
            using (var so = new Microsoft.ML.OnnxRuntime.SessionOptions { GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimized })
            using (new Microsoft.ML.OnnxRuntime.InferenceSession(file, so))
            {
            }
            foreach (var n in Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph.Node)
                Console.WriteLine($"{n.OpType} {n.Name}: {string.Join(", ", n.Input)} -> {string.Join(", ", n.Output)}");
            return;
        }
        if (args is ["install", var chosen])
        {
            // A variant into the model cache (StepAudio__Models__Cache), to score it on video with `vision score --precision int8`.
            var s = VisionCalibrationData.For(store, VisionModelQuantization.BuiltInCameras(), new VisionOptions().DetectorInputSize);
            var (sd, sl, se) = Settings(chosen);
            Console.WriteLine(QdqQuantizer.QuantizeFile(TinyFaceDetector.RequireModel(store), s.Detector, TinyFaceDetector.Int8Path(store), sd));
            Console.WriteLine(QdqQuantizer.QuantizeFile(FaceLandmarker.RequireModel(store), s.Landmarks, FaceLandmarker.Int8Path(store), sl));
            Console.WriteLine(QdqQuantizer.QuantizeFile(ExpressionClassifier.RequireModel(store), s.Expressions, ExpressionClassifier.Int8Path(store), se));
            return;
        }
        var clock = Stopwatch.StartNew();
        var samples = VisionCalibrationData.For(store, VisionModelQuantization.BuiltInCameras(), new VisionOptions().DetectorInputSize);
        Console.WriteLine($"calibration samples: detector {samples.Detector.Count}, landmarks {samples.Landmarks.Count}, expressions {samples.Expressions.Count} ({clock.Elapsed.TotalSeconds:0.0} s)");
        var photos = CabinVideoGenerator.DemoPhotos.Select(p => Photo.Load(store.Require(p))).ToList();
        var dir = Directory.CreateTempSubdirectory("stepaudio-vision-int8-").FullName;
        try
        {
            if (args is ["sensitivity", var which])
            {
                Sensitivity(store, samples, photos, which, dir);
                return;
            }
            var variants = args.Length > 0 ? args : ["default"];
            foreach (var variant in variants)
            {
                var (det, lm, ex) = Settings(variant);
                Console.WriteLine($"== {variant}");
                clock.Restart();
                var detector = Path.Combine(dir, $"{variant}-det.onnx");
                var landmarks = Path.Combine(dir, $"{variant}-lm.onnx");
                var expressions = Path.Combine(dir, $"{variant}-ex.onnx");
                Console.WriteLine($"detector: {QdqQuantizer.QuantizeFile(TinyFaceDetector.RequireModel(store), samples.Detector, detector, det)}");
                Console.WriteLine($"landmarks: {QdqQuantizer.QuantizeFile(FaceLandmarker.RequireModel(store), samples.Landmarks, landmarks, lm)}");
                Console.WriteLine($"expressions: {QdqQuantizer.QuantizeFile(ExpressionClassifier.RequireModel(store), samples.Expressions, expressions, ex)} ({clock.Elapsed.TotalSeconds:0.0} s)");
                foreach (var m in new[] { detector, landmarks, expressions }) Console.WriteLine($"{Path.GetFileName(m)} after ORT optimisation: {OptimizedOps(m)}");
                if (Environment.GetEnvironmentVariable("VISION_INT8_PROFILE") == "1")
                    foreach (var m in new[] { TinyFaceDetector.RequireModel(store), detector, FaceLandmarker.RequireModel(store), landmarks }) Profile(m);
                Compare(store, photos, detector, landmarks, expressions);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }


    /// <summary>
    /// `-- int8-accuracy sensitivity VARIANT`: the landmark net quantized with the variant's settings (calibrated
    /// once), then again with each compute node in turn also left float, and with only that node quantized: the
    /// mean landmark distance from FP32 on the demo photos (RGB and gray, % of the eye distance) per node.
    /// </summary>
    private static void Sensitivity(ModelStore store, VisionCalibrationSamples samples, List<Photo> photos, string variant, string dir)
    {
        var (_, settings, _) = Settings(variant);
        var fp32 = FaceLandmarker.RequireModel(store);
        var model = QdqQuantizer.Load(fp32);
        var tensors = QdqQuantizer.ActivationsToCalibrate(model, settings with { KeepFloat = null });
        var ranges = settings.Uint8Activations
            ? ActivationCalibrator.SignedRanges(model, tensors, samples.Landmarks, fp32, settings.Percentile)
            : ActivationCalibrator.Ranges(model, tensors, samples.Landmarks, fp32, settings.Percentile).ToDictionary(p => p.Key, p => (-p.Value, p.Value));
        Console.WriteLine("ranges: " + string.Join(", ", ranges.Select(r => $"{r.Key} [{r.Value.Item1:0.###}, {r.Value.Item2:0.###}]")));
        using var det = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), Cpu, 416);
        using var reference = new FaceLandmarker(fp32, Cpu);
        var faces = new List<(Photo Photo, FaceBox Box)>();
        foreach (var p in photos)
        {
            var boxes = new List<FaceBox>();
            Detect(det, p, false, boxes);
            faces.AddRange(boxes.Select(b => (p, b)));
        }
        string Error(HashSet<string> keep)
        {
            var path = Path.Combine(dir, "sens-lm.onnx");
            QdqQuantizer.Save(QdqQuantizer.Quantize(model, ranges, fp32, settings with { KeepFloat = keep }), path);
            using var lm = new FaceLandmarker(path, Cpu);
            var result = new List<string>();
            foreach (var gray in new[] { false, true })
            {
                var sum = 0.0;
                foreach (var (p, box) in faces)
                {
                    var ma = new FaceLandmarks();
                    var mb = new FaceLandmarks();
                    reference.Locate(gray ? p.Gray : p.Rgb, p.Width, p.Height, gray ? 1 : 3, box, ma);
                    lm.Locate(gray ? p.Gray : p.Rgb, p.Width, p.Height, gray ? 1 : 3, box, mb);
                    sum += Enumerable.Range(0, FaceLandmarks.Count).Average(i => Math.Sqrt(Math.Pow(ma.X(i) - mb.X(i), 2) + Math.Pow(ma.Y(i) - mb.Y(i), 2))) / ma.InterOcularDistance();
                }
                result.Add($"{100 * sum / faces.Count:0.00}");
            }
            return string.Join(" / ", result) + " % IOD (RGB / gray)";
        }
        var compute = model.Graph.Node.Where(n => QdqQuantizer.ComputeOps.Contains(n.OpType) || (settings.QuantizeAdds && n.OpType == "Add")).Select(n => n.Name).ToList();
        var baseKeep = settings.KeepFloat ?? new HashSet<string>();
        Console.WriteLine($"all quantized (keep {string.Join("+", baseKeep)}): {Error([.. baseKeep])}");
        foreach (var node in compute.Where(n => !baseKeep.Contains(n)))
        {
            var op = model.Graph.Node.First(n => n.Name == node);
            var group = op.Attribute.FirstOrDefault(a => a.Name == "group")?.I ?? 1;
            Console.WriteLine($"{node} ({op.OpType}{(group > 1 ? " dw" : "")}, out {op.Output[0]}): float alone → {Error([.. baseKeep, node])}; only it int8 → {Error([.. compute.Where(n => n != node)])}");
        }
    }

    /// <summary>A variant name: "default" (the shipped settings), or per net p=PERCENTILE, keep=first|last|first+last|dw|pw|none, u8 (asymmetric uint8 activations), add (QLinearAdd), w8 (weights ±127), float=NODE+NODE (by name).</summary>
    private static (QuantizationSettings, QuantizationSettings, QuantizationSettings) Settings(string variant)
    {
        if (variant == "default") return (VisionModelQuantization.DetectorSettings, VisionModelQuantization.Settings, VisionModelQuantization.Settings);
        var percentile = 100.0;
        var keep = "none";
        bool uint8 = false, adds = false;
        var named = new List<string>();
        var weightMax = QdqQuantizer.SafeWeightMax;
        foreach (var part in variant.Split(','))
        {
            var kv = part.Split('=');
            if (kv[0] == "p") percentile = double.Parse(kv[1], CultureInfo.InvariantCulture);
            if (kv[0] == "keep") keep = kv[1];
            if (kv[0] == "u8") uint8 = true;
            if (kv[0] == "add") adds = true;
            if (kv[0] == "w8") weightMax = 127;
            if (kv[0] == "float") named.AddRange(kv[1].Split('+'));
        }
        var store = ModelStore.Default();
        return (For(TinyFaceDetector.RequireModel(store)), For(FaceLandmarker.RequireModel(store)), For(ExpressionClassifier.RequireModel(store)));

        QuantizationSettings For(string model)
        {
            var nodes = QdqQuantizer.Load(model).Graph.Node.Where(n => QdqQuantizer.ComputeOps.Contains(n.OpType)).ToList();
            var compute = nodes.Select(n => n.Name).ToList();
            var kept = new HashSet<string>(named.Where(compute.Contains), StringComparer.Ordinal);
            bool Depthwise(Onnx.NodeProto n) => (n.Attribute.FirstOrDefault(a => a.Name == "group")?.I ?? 1) > 1;
            if (keep.Contains("dw", StringComparison.Ordinal)) kept.UnionWith(nodes.Where(Depthwise).Select(n => n.Name));
            if (keep.Contains("pw", StringComparison.Ordinal)) kept.UnionWith(nodes.Skip(1).Where(n => !Depthwise(n) && n.OpType == "Conv").Select(n => n.Name));
            if (keep.Contains("first", StringComparison.Ordinal)) kept.Add(compute[0]);
            if (keep.Contains("last", StringComparison.Ordinal)) kept.Add(compute[^1]);
            return new QuantizationSettings(percentile, kept, uint8, adds, weightMax);
        }
    }

    private static void Compare(ModelStore store, List<Photo> photos, string detectorInt8, string landmarksInt8, string expressionsInt8)
    {
        foreach (var size in new[] { 416, 224 })
        {
            using var a = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), Cpu, size);
            using var b = new TinyFaceDetector(detectorInt8, Cpu, size);
            foreach (var gray in new[] { false, true })
            {
                int found = 0, missed = 0, extra = 0;
                var worst = 0.0;
                var scoreDiff = 0.0;
                foreach (var p in photos)
                {
                    var fa = new List<FaceBox>();
                    var fb = new List<FaceBox>();
                    Detect(a, p, gray, fa);
                    Detect(b, p, gray, fb);
                    foreach (var f in fa)
                    {
                        var match = fb.OrderByDescending(g => g.IntersectionOverUnion(f)).FirstOrDefault();
                        if (fb.Count == 0 || match.IntersectionOverUnion(f) < 0.5) { missed++; continue; }
                        found++;
                        worst = Math.Max(worst, new[] { Math.Abs(match.X - f.X), Math.Abs(match.Y - f.Y), Math.Abs(match.Right - f.Right), Math.Abs(match.Bottom - f.Bottom) }.Max());
                        scoreDiff = Math.Max(scoreDiff, Math.Abs(match.Score - f.Score));
                    }
                    extra += fb.Count(g => fa.All(f => g.IntersectionOverUnion(f) < 0.5));
                }
                Console.WriteLine($"detector {size} {(gray ? "gray" : "RGB ")}: FP32 faces {found + missed}, INT8 matched {found}, missed {missed}, extra {extra}; worst box edge {worst:0.00} px, score {scoreDiff:0.000}");
            }
        }

        using var det = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), Cpu, 416);
        using var la = new FaceLandmarker(FaceLandmarker.RequireModel(store), Cpu);
        using var lb = new FaceLandmarker(landmarksInt8, Cpu);
        using var ea = new ExpressionClassifier(ExpressionClassifier.RequireModel(store), Cpu);
        using var eb = new ExpressionClassifier(expressionsInt8, Cpu);
        foreach (var gray in new[] { false, true })
        {
            var sum = 0.0;
            var n = 0;
            double worstPx = 0, worstIod = 0, meanIod = 0, worstProb = 0;
            var top = 0;
            var faces = 0;
            foreach (var p in photos)
            {
                var boxes = new List<FaceBox>();
                Detect(det, p, false, boxes);
                foreach (var box in boxes)
                {
                    var ma = new FaceLandmarks();
                    var mb = new FaceLandmarks();
                    var pixels = gray ? p.Gray : p.Rgb;
                    var channels = gray ? 1 : 3;
                    la.Locate(pixels, p.Width, p.Height, channels, box, ma);
                    lb.Locate(pixels, p.Width, p.Height, channels, box, mb);
                    var iod = ma.InterOcularDistance();
                    var faceMean = 0.0;
                    for (var i = 0; i < FaceLandmarks.Count; i++)
                    {
                        var d = Math.Sqrt(Math.Pow(ma.X(i) - mb.X(i), 2) + Math.Pow(ma.Y(i) - mb.Y(i), 2));
                        sum += d;
                        n++;
                        faceMean += d / FaceLandmarks.Count;
                        worstPx = Math.Max(worstPx, d);
                    }
                    worstIod = Math.Max(worstIod, faceMean / iod);
                    meanIod += faceMean / iod;
                    var pa = new float[7];
                    var pb = new float[7];
                    ea.Classify(pixels, p.Width, p.Height, channels, ma.AlignedBox(1), pa);
                    eb.Classify(pixels, p.Width, p.Height, channels, ma.AlignedBox(1), pb);
                    for (var k = 0; k < 7; k++) worstProb = Math.Max(worstProb, Math.Abs(pa[k] - pb[k]));
                    if (Array.IndexOf(pa, pa.Max()) == Array.IndexOf(pb, pb.Max())) top++;
                    faces++;
                }
            }
            Console.WriteLine($"landmarks {(gray ? "gray" : "RGB ")} ({faces} faces): mean {sum / n:0.000} px, worst point {worstPx:0.00} px; per face mean {100 * meanIod / faces:0.00} % IOD, worst face {100 * worstIod:0.00} % IOD");
            Console.WriteLine($"expressions {(gray ? "gray" : "RGB ")}: worst probability difference {worstProb:0.0000}, same top class {top}/{faces}");
        }

        // CPU time per call, FP32 and INT8 alternating (rough; BenchmarkDotNet has the careful numbers).
        var photo = photos[0];
        var box0 = new List<FaceBox>();
        Detect(det, photo, false, box0);
        using var d224a = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), Cpu, 224);
        using var d224b = new TinyFaceDetector(detectorInt8, Cpu, 224);
        var lmk = new FaceLandmarks();
        var probs = new float[7];
        Console.WriteLine($"CPU ms per call FP32 → INT8: detector 224 {Time(() => d224a.DetectGray(photo.Gray, photo.Width, photo.Height, []), 30):0.00} → {Time(() => d224b.DetectGray(photo.Gray, photo.Width, photo.Height, []), 30):0.00}; " +
            $"landmarks {Time(() => la.Locate(photo.Gray, photo.Width, photo.Height, 1, box0[0], lmk), 200):0.00} → {Time(() => lb.Locate(photo.Gray, photo.Width, photo.Height, 1, box0[0], lmk), 200):0.00}; " +
            $"expressions {Time(() => ea.Classify(photo.Gray, photo.Width, photo.Height, 1, box0[0], probs), 200):0.00} → {Time(() => eb.Classify(photo.Gray, photo.Width, photo.Height, 1, box0[0], probs), 200):0.00}");
    }

    /// <summary>ONNX Runtime's own profile of 100 runs on zeros: microseconds per run by operator.</summary>
    private static void Profile(string model)
    {
        using var so = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1, ProfileOutputPathPrefix = Path.ChangeExtension(model, null) };
        so.EnableProfiling = true;
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model, so);
        var input = session.InputMetadata.First();
        var side = model.Contains("det", StringComparison.Ordinal) || model.Contains("detector", StringComparison.Ordinal) ? 224 : 112;
        var shape = new long[] { 1, 3, side, side };
        var data = new float[3 * side * side];
        new Random(1).NextBytes(new byte[1]);
        for (var i = 0; i < data.Length; i++) data[i] = (i * 37) % 255;
        using var value = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(data, shape);
        using var ro = new Microsoft.ML.OnnxRuntime.RunOptions();
        for (var i = 0; i < 100; i++) using (session.Run(ro, [input.Key], [value], session.OutputNames)) { }
        var file = session.EndProfiling();
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        var byOp = new Dictionary<string, double>();
        var byNode = new Dictionary<string, double>();
        foreach (var e in json.RootElement.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            var op = e.GetProperty("args").GetProperty("op_name").GetString()!;
            byOp[op] = byOp.GetValueOrDefault(op) + e.GetProperty("dur").GetDouble();
            var node = $"{op}:{e.GetProperty("name").GetString()![..^12]}";
            byNode[node] = byNode.GetValueOrDefault(node) + e.GetProperty("dur").GetDouble();
        }
        Console.WriteLine("  nodes: " + string.Join(", ", byNode.OrderByDescending(p => p.Value).Take(14).Select(p => $"{p.Key} {p.Value / 100:0}")));
        Console.WriteLine($"profile {Path.GetFileName(model)}: total {byOp.Values.Sum() / 100:0} µs/run; " + string.Join(", ", byOp.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value / 100:0}")));
        File.Delete(file);
    }

    /// <summary>The operators ONNX Runtime's CPU provider runs after its graph optimisations.</summary>
    private static string OptimizedOps(string model)
    {
        var optimized = Path.ChangeExtension(model, ".optimized.onnx");
        using (var so = new Microsoft.ML.OnnxRuntime.SessionOptions { GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimized })
        using (new Microsoft.ML.OnnxRuntime.InferenceSession(model, so))
        {
        }
        var graph = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph;
        var ops = graph.Node.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal);
        var floatConvs = graph.Node.Where(n => n.OpType == "Conv").Select(n => $"{n.Name}(group {n.Attribute.FirstOrDefault(a => a.Name == "group")?.I ?? 1}, in {string.Join("|", n.Input)})");
        return string.Join(", ", ops.Select(g => $"{g.Key} {g.Count()}")) + "\n   float Conv: " + string.Join("; ", floatConvs);
    }

    private static double Time(Action a, int n)
    {
        for (var i = 0; i < 5; i++) a();
        var start = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < n; i++) a();
        return (Process.GetCurrentProcess().TotalProcessorTime - start).TotalMilliseconds / n;
    }

    private static void Detect(TinyFaceDetector detector, Photo p, bool gray, List<FaceBox> faces)
    {
        if (gray) detector.DetectGray(p.Gray, p.Width, p.Height, faces);
        else detector.Detect(p.Rgb, p.Width, p.Height, faces);
    }

    private sealed record Photo(int Width, int Height, byte[] Rgb, byte[] Gray)
    {
        public static Photo Load(string path)
        {
            var (w, h, rgb, gray) = DemoPhoto.Load(path);
            return new Photo(w, h, rgb, gray);
        }
    }
}
