using System.Globalization;
using System.Net;
using System.Text;
using ScottPlot;

namespace StepAudio.Automotive.Tools.Hil;

/// <summary>
/// The run's report: a Markdown summary and one self-contained HTML page (plots embedded as PNG) with
/// the intent confusion matrix, the latency histogram, measured DOA against truth over time and
/// accuracy per SNR.
/// </summary>
public static class HilReport
{
    public static string Markdown(HilScore s, IReadOnlyList<string> failures)
    {
        var b = new StringBuilder();
        b.AppendLine("# HIL run");
        b.AppendLine();
        b.AppendLine(Inv($"{s.Scenarios} scenarios ({s.ScenariosNotRun} not run or not finished: their turns are misses), {s.Turns} turns, {s.AudioHours * 60:0.0} min of audio played through."));
        b.AppendLine();
        b.AppendLine("| measure | value |");
        b.AppendLine("|---|---|");
        b.AppendLine(Inv($"| intent accuracy (intent, slots, zone) | {Pct(s.IntentAccuracy)} |"));
        b.AppendLine(Inv($"| wake recall | {Pct(s.WakeRecall)} |"));
        b.AppendLine(Inv($"| zone accuracy (intents and utterances) | {Pct(s.ZoneAccuracy)} |"));
        b.AppendLine(Inv($"| false intents | {s.FalseIntents} ({Num(s.FalseIntentsPerHour)} per hour) |"));
        b.AppendLine(Inv($"| escalations found (of {s.EscalationsExpected}) / false | {Pct(s.EscalationRecall)} / {s.FalseEscalations} ({Num(s.FalseEscalationsPerHour)} per hour) |"));
        b.AppendLine(Inv($"| escalation after onset, max (agitated talkers) | {Num(s.EscalationLatencyMaxS)} s |"));
        b.AppendLine(Inv($"| latency p50 / p95 / p99 (stream time) | {Num(s.LatencyP50Ms)} / {Num(s.LatencyP95Ms)} / {Num(s.LatencyP99Ms)} ms |"));
        b.AppendLine(Inv($"| latency p95 (wall, realtime runs) | {Num(s.WallLatencyP95Ms)} ms |"));
        b.AppendLine(Inv($"| median azimuth error | {Num(s.MedianAzimuthErrorDeg)}° |"));
        b.AppendLine();
        b.AppendLine("| SNR | intent accuracy |");
        b.AppendLine("|---|---|");
        foreach (var (k, v) in s.IntentAccuracyBySnr) b.AppendLine(Inv($"| {k} | {Pct(v)} |"));
        b.AppendLine();
        b.AppendLine("| zone | intent accuracy |");
        b.AppendLine("|---|---|");
        foreach (var (k, v) in s.IntentAccuracyByZone) b.AppendLine(Inv($"| {k} | {Pct(v)} |"));
        b.AppendLine();
        b.AppendLine("| over the turn | turns | wake recall | intent accuracy |");
        b.AppendLine("|---|---|---|---|");
        foreach (var (k, v) in s.ByInterference) b.AppendLine(Inv($"| {k} | {v.Turns} | {Pct(v.WakeRecall)} | {Pct(v.IntentAccuracy)} |"));
        b.AppendLine();
        b.AppendLine(failures.Count == 0 ? "Thresholds: passed." : "Thresholds: FAILED\n\n" + string.Join("\n", failures.Select(f => "- " + f)));
        return b.ToString();
    }

    public static string Html(HilScore s, IReadOnlyList<string> failures)
    {
        var b = new StringBuilder();
        b.AppendLine("<!doctype html><html><head><meta charset=\"utf-8\"><title>HIL run</title>");
        b.AppendLine("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}img{max-width:100%}</style></head><body>");
        b.AppendLine("<pre>" + WebUtility.HtmlEncode(Markdown(s, failures)) + "</pre>");
        b.AppendLine(Image("Intent confusion (rows: said, columns: heard)", Confusion(s)));
        b.AppendLine(Image("Latency from end of command to intent (stream time)", Histogram(s.LatenciesMs, "latency (ms)")));
        b.AppendLine(Image("Measured azimuth against truth", DoaPlot(s)));
        b.AppendLine(Image("Intent accuracy per SNR", Bars(s.IntentAccuracyBySnr, "intent accuracy")));
        b.AppendLine("</body></html>");
        return b.ToString();
    }

    private static string Image(string title, Plot plot)
    {
        var png = plot.GetImageBytes(900, 500, ImageFormat.Png);
        return $"<h2>{WebUtility.HtmlEncode(title)}</h2><img alt=\"{WebUtility.HtmlEncode(title)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">";
    }

    private static Plot Confusion(HilScore s)
    {
        var labels = s.Confusions.SelectMany(c => new[] { c.Truth, c.Heard }).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i);
        var counts = new double[Math.Max(1, labels.Length), Math.Max(1, labels.Length)];
        foreach (var (t, h) in s.Confusions) counts[index[t], index[h]]++;
        var plot = new Plot();
        var map = plot.Add.Heatmap(counts);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(map);
        var ticks = labels.Select((l, i) => new Tick(i, l)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(labels.Select((l, i) => new Tick(labels.Length - 1 - i, l)).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 60;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        return plot;
    }

    private static Plot Histogram(IReadOnlyList<double> values, string label)
    {
        var plot = new Plot();
        if (values.Count > 0)
        {
            var hist = ScottPlot.Statistics.Histogram.WithBinCount(20, values.Min(), values.Max() + 1);
            hist.AddRange(values);
            plot.Add.Histogram(hist);
        }
        plot.XLabel(label);
        plot.YLabel("count");
        return plot;
    }

    private static Plot DoaPlot(HilScore s)
    {
        var plot = new Plot();
        if (s.Doa.Count > 0)
        {
            var measured = plot.Add.ScatterPoints(s.Doa.Select(d => d.Time).ToArray(), s.Doa.Select(d => d.Measured).ToArray());
            measured.LegendText = "measured";
            var truth = plot.Add.ScatterPoints(s.Doa.Select(d => d.Time).ToArray(), s.Doa.Select(d => d.Truth).ToArray());
            truth.LegendText = "truth";
            truth.MarkerShape = MarkerShape.OpenCircle;
            plot.ShowLegend();
        }
        plot.XLabel("stream time (s)");
        plot.YLabel("azimuth (deg)");
        return plot;
    }

    private static Plot Bars(IReadOnlyDictionary<string, double> values, string label)
    {
        var plot = new Plot();
        var keys = values.Keys.ToArray();
        plot.Add.Bars(keys.Select(k => double.IsNaN(values[k]) ? 0 : values[k]).ToArray());
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(keys.Select((k, i) => new Tick(i, k)).ToArray());
        plot.Axes.SetLimitsY(0, 1.05);
        plot.YLabel(label);
        return plot;
    }

    private static string Pct(double v) => double.IsNaN(v) ? "n/a" : (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static string Num(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
