using System.Text.Json;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tools.Vision;

/// <summary>What <see cref="VisionScorer"/> measured, over all seats.</summary>
/// <param name="DetectionRecall">Detector runs that found the seat's face (a box holding its nose tip), over all detector runs.</param>
/// <param name="LandmarkError">Mean over frames with a face of the mean point-to-point landmark error, as a fraction of the true inter-ocular distance.</param>
/// <param name="LandmarkError95">95th percentile of the per-frame error.</param>
/// <param name="SpeechAccuracy">Frames whose visual speech decision (probability ≥ 0.5; no face = not speaking) matches the truth.</param>
public sealed record VisionScore(
    int Frames, int DetectorRuns, double DetectionRecall, double LandmarkError, double LandmarkError95,
    double SpeechAccuracy, IReadOnlyList<SeatScore> Seats, double MeanSecondsPerFrame);

/// <summary>One seat's share of a <see cref="VisionScore"/>; activity means tell how far apart speech and silence are.</summary>
public sealed record SeatScore(string Zone, double DetectionRecall, double LandmarkError, double SpeechAccuracy, double ActivityWhenSpeaking, double ActivityWhenSilent);

/// <summary>Runs <see cref="CabinVision"/> over a generated video and scores it against the generator's truth.</summary>
public static class VisionScorer
{
    public static VisionScore Score(CabinCamera camera, CabinVision vision, string y4mPath, string truthPath, TextWriter? trace = null)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(truthPath));
        var root = doc.RootElement;
        var truth = root.GetProperty("seats").EnumerateArray().ToDictionary(
            s => s.GetProperty("zone").GetString()!,
            s => (Speaking: s.GetProperty("speaking").EnumerateArray().Select(v => v.GetBoolean()).ToArray(),
                  Landmarks: s.GetProperty("landmarks").EnumerateArray().Select(f => f.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray()));
        using var source = new Y4mFileSource(y4mPath);
        if (source.Width != camera.Width || source.Height != camera.Height)
            throw new InvalidInputException(y4mPath, $"video is {source.Width}x{source.Height}, the profile's camera {camera.Width}x{camera.Height}");
        var frame = VideoFrame.For(source);
        int runs = 0, found = 0, frames = 0, decisions = 0, right = 0;
        var errors = new List<double>();
        var bySeat = vision.Seats.ToDictionary(s => s.Zone, _ => new Tally());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        trace?.WriteLine("frame,zone,face,opening,energy,activity,probability,decisionFrame,truthSpeaking");
        while (source.Read(frame))
        {
            var f = (int)frame.Index;
            vision.Process(frame, frame.Timestamp);
            frames++;
            foreach (var seat in vision.Seats)
            {
                if (!seat.Updated || !truth.TryGetValue(seat.Zone, out var t) || f >= t.Landmarks.Length) continue;
                var lm = t.Landmarks[f];
                var tally = bySeat[seat.Zone];
                if (seat.DetectorRan)
                {
                    runs++;
                    tally.Runs++;
                    double nx = lm[2 * 30], ny = lm[(2 * 30) + 1];
                    if (seat.Detected && nx >= seat.Face.X && nx <= seat.Face.Right && ny >= seat.Face.Y && ny <= seat.Face.Bottom)
                    {
                        found++;
                        tally.Found++;
                    }
                }
                if (seat.FaceFound)
                {
                    double iod = Iod(lm), sum = 0;
                    for (var i = 0; i < FaceLandmarks.Count; i++)
                        sum += Math.Sqrt(Math.Pow(seat.Landmarks.X(i) - lm[2 * i], 2) + Math.Pow(seat.Landmarks.Y(i) - lm[(2 * i) + 1], 2));
                    errors.Add(sum / FaceLandmarks.Count / iod);
                    tally.Errors.Add(sum / FaceLandmarks.Count / iod);
                }
                var at = (int)Math.Round(seat.Speech.DecisionTime * source.FrameRate);
                if (at < 0 || at >= t.Speaking.Length) continue;
                var speaking = seat.Speech.Probability >= 0.5;
                var ok = speaking == t.Speaking[at];
                decisions++;
                if (ok) right++;
                tally.Decisions++;
                if (ok) tally.Right++;
                (t.Speaking[at] ? tally.ActivitySpeaking : tally.ActivitySilent).Add(seat.Speech.Activity);
                trace?.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{f},{seat.Zone},{(seat.FaceFound ? 1 : 0)},{seat.Lips.MouthOpening:0.0000},{seat.Lips.MotionEnergy:0.0000},{seat.Speech.Activity:0.0000},{seat.Speech.Probability:0.000},{at},{(t.Speaking[at] ? 1 : 0)}"));
            }
        }
        errors.Sort();
        return new VisionScore(
            frames, runs, runs == 0 ? 0 : (double)found / runs,
            errors.Count == 0 ? double.NaN : errors.Average(), errors.Count == 0 ? double.NaN : errors[(int)(0.95 * (errors.Count - 1))],
            decisions == 0 ? 0 : (double)right / decisions,
            [.. bySeat.Select(kv => new SeatScore(kv.Key, Ratio(kv.Value.Found, kv.Value.Runs), Mean(kv.Value.Errors), Ratio(kv.Value.Right, kv.Value.Decisions), Mean(kv.Value.ActivitySpeaking), Mean(kv.Value.ActivitySilent)))],
            clock.Elapsed.TotalSeconds / Math.Max(frames, 1));
    }

    private static double Ratio(int a, int b) => b == 0 ? 0 : (double)a / b;

    private static double Mean(List<double> v) => v.Count == 0 ? double.NaN : v.Average();

    private sealed class Tally
    {
        public int Runs, Found, Decisions, Right;
        public List<double> Errors { get; } = [];
        public List<double> ActivitySpeaking { get; } = [];
        public List<double> ActivitySilent { get; } = [];
    }

    private static double Iod(double[] lm)
    {
        double lx = 0, ly = 0, rx = 0, ry = 0;
        for (var i = 36; i < 42; i++)
        {
            lx += lm[2 * i] / 6;
            ly += lm[(2 * i) + 1] / 6;
            rx += lm[2 * (i + 6)] / 6;
            ry += lm[(2 * (i + 6)) + 1] / 6;
        }
        return Math.Sqrt(((rx - lx) * (rx - lx)) + ((ry - ly) * (ry - ly)));
    }
}
