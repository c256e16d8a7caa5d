using StepAudio.Automotive.Pipeline;

namespace StepAudio.Automotive.Tests;

/// <summary>Plays per-microphone signals (e.g. a simulator render) through a started pipeline.</summary>
internal static class PipelineAudio
{
    /// <summary>Interleaves <paramref name="mics"/> 10 ms at a time (whole hops only), processes each hop, then finishes the pipeline.</summary>
    public static void Play(CabinPipeline pipeline, float[][] mics)
    {
        var channels = mics.Length;
        var hop = new float[CabinPipeline.HopFrames * channels];
        for (var start = 0; start + CabinPipeline.HopFrames <= mics[0].Length; start += CabinPipeline.HopFrames)
        {
            for (var i = 0; i < CabinPipeline.HopFrames; i++)
                for (var c = 0; c < channels; c++) hop[(i * channels) + c] = mics[c][start + i];
            pipeline.Process(hop);
        }
        pipeline.Finish();
    }
}
