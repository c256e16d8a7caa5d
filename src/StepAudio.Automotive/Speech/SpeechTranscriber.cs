using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// Moonshine (tiny, English, MIT) as published in <c>@moonshine-ai/moonshine-js</c>: an encoder over raw
/// 16 kHz audio and a decoder with a key/value cache (the "merged" export: <c>use_cache_branch</c> false
/// on the first step computes the cross-attention cache from the encoder states, later steps reuse it),
/// decoded greedily, and able to score given token sequences (the grammar's phrases) by their
/// likelihood under the decoder, all of them in a few batched runs. Runs once per utterance, not per
/// frame: an utterance's encoder states, caches and logits are ONNX Runtime's memory for that utterance.
/// </summary>
public sealed class SpeechTranscriber : IDisposable
{
    private const int StartToken = 1;
    private const int EndToken = 2;

    /// <summary>Moonshine's own bound: about six tokens per second of speech.</summary>
    private const double TokensPerSecond = 6;

    private readonly InferenceSession _encoder;
    private readonly InferenceSession _decoder;
    private readonly TokenVocabulary _vocabulary;
    private readonly RunOptions _run = new();
    private readonly string[] _pastNames;
    private readonly string[] _presentNames;
    private readonly bool[] _isEncoderCache;
    private readonly long[] _cacheShape;
    private readonly string _encoderInput;
    private readonly string _encoderOutput;
    private readonly int[] _tokens = new int[256];
    private readonly Lock _gate = new(); // one recognition at a time: the buffers are shared
    private Task _warm = Task.CompletedTask;
    private float[] _softmax = [];

    /// <summary>Candidates scored per decoder run, sorted by length (bounds the logits: batch × length × 32 768 floats; 22 was the fastest of 8–66 here).</summary>
    private const int Batch = 22;

    public SpeechTranscriber(SpeechTranscriberPaths paths, InferenceOptions inference, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        _vocabulary = TokenVocabulary.Load(paths.Vocabulary);
        _encoder = OnnxModel.OpenSession(paths.Encoder, inference, logger, out var provider, out _, dynamicShapes: true);
        ExecutionProvider = provider;
        try
        {
            _decoder = OnnxModel.OpenSession(paths.Decoder, inference, logger, out _, out _, dynamicShapes: true);
            if (_encoder.InputMetadata.Count != 1 || _encoder.OutputMetadata.Count != 1)
                throw new InvalidInputException(paths.Encoder, "a Moonshine encoder has one input (audio) and one output (states)");
            _encoderInput = _encoder.InputMetadata.Keys.First();
            _encoderOutput = _encoder.OutputMetadata.Keys.First();
            var inputs = _decoder.InputMetadata;
            foreach (var needed in new[] { "input_ids", "encoder_hidden_states", "use_cache_branch" })
                if (!inputs.ContainsKey(needed))
                    throw new InvalidInputException(paths.Decoder, $"no input '{needed}': not a merged Moonshine decoder (inputs: {string.Join(", ", inputs.Keys)})");
            _pastNames = [.. inputs.Keys.Where(n => n.StartsWith("past_key_values.", StringComparison.Ordinal))];
            if (_pastNames.Length == 0) throw new InvalidInputException(paths.Decoder, "no past_key_values inputs");
            _presentNames = [.. _pastNames.Select(n => "present." + n["past_key_values.".Length..])];
            foreach (var n in _presentNames)
                if (!_decoder.OutputMetadata.ContainsKey(n))
                    throw new InvalidInputException(paths.Decoder, $"no output '{n}' for its cache input");
            _isEncoderCache = [.. _pastNames.Select(n => n.Contains(".encoder.", StringComparison.Ordinal))];
            var dims = inputs[_pastNames[0]].Dimensions;
            if (dims.Length != 4 || dims[1] <= 0 || dims[3] <= 0)
                throw new InvalidInputException(paths.Decoder, $"cache input '{_pastNames[0]}' is [{string.Join(",", dims)}], expected [batch, heads, length, head size]");
            _cacheShape = [1, dims[1], 0, dims[3]];
        }
        catch
        {
            Dispose();
            throw;
        }
        // The first runs build kernels and arenas: WarmUpInBackground pays for them beside start-up.
    }

    /// <summary>The provider the encoder runs on.</summary>
    public string ExecutionProvider { get; }

    public TokenVocabulary Vocabulary => _vocabulary;

    /// <summary>The text Moonshine hears in 16 kHz audio in [-1, 1] (an utterance of up to ~10 s).</summary>
    public string Transcribe(ReadOnlySpan<float> audio) => Recognize(audio, [], []).Text;

    /// <summary>
    /// Transcribes <paramref name="audio"/> greedily and writes each candidate's log-likelihood (the sum
    /// over its tokens and the end token, in nats) to <paramref name="scores"/>. A candidate is token ids
    /// without the start token.
    /// </summary>
    /// <param name="ending">Score the end token after each candidate too (a whole utterance); false: the candidate as the beginning of what is said.</param>
    public Transcript Recognize(ReadOnlySpan<float> audio, IReadOnlyList<int[]> candidates, Span<float> scores, bool ending = true)
    {
        lock (_gate) return RecognizeLocked(audio, candidates, scores, ending);
    }

    /// <summary>
    /// Runs one recognition of a second of silence over <paramref name="candidates"/> on a pool thread: ONNX
    /// Runtime's first runs of the dynamic-shape sessions are ~0.4 s slower, and warming beside start-up keeps
    /// that off both READY and the first command (which waits for it if it comes sooner).
    /// </summary>
    public void WarmUpInBackground(IReadOnlyList<int[]> candidates) =>
        _warm = Task.Run(() => Recognize(new float[SpeechSteps.SampleRate], candidates, new float[candidates.Count]));

    private Transcript RecognizeLocked(ReadOnlySpan<float> audio, IReadOnlyList<int[]> candidates, Span<float> scores, bool ending)
    {
        var samples = audio.ToArray();
        using var audioValue = OrtValue.CreateTensorValueFromMemory(samples, [1, samples.Length]);
        using var encoded = _encoder.Run(_run, [_encoderInput], [audioValue], [_encoderOutput]);
        var states = encoded[0];
        var (count, logProb) = Greedy(states, samples.Length);
        // Batches of candidates of similar length: a batch runs as long as its longest candidate.
        var order = Enumerable.Range(0, candidates.Count).OrderBy(i => candidates[i].Length).ToArray();
        for (var first = 0; first < order.Length; first += Batch)
            Score(states, candidates, order.AsSpan(first, Math.Min(Batch, order.Length - first)), scores, ending);
        return new Transcript(_vocabulary.Decode(_tokens.AsSpan(0, count)), logProb, count + 1);
    }

    private (int Count, float LogProb) Greedy(OrtValue states, int samples)
    {
        var names = DecoderInputNames();
        var outputNames = new string[1 + _presentNames.Length];
        outputNames[0] = "logits";
        _presentNames.CopyTo(outputNames, 1);

        var ids = new long[1];
        var useCache = new bool[1];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [1, 1]);
        using var useCacheValue = OrtValue.CreateTensorValueFromMemory(useCache, [1]);
        using var empty = OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), _cacheShape);
        var past = new OrtValue[_pastNames.Length];
        Array.Fill(past, empty);
        IDisposableReadOnlyCollection<OrtValue>? previous = null, first = null;
        var values = new OrtValue[names.Length];
        values[0] = idsValue;
        values[1] = states;
        values[2] = useCacheValue;
        var maxTokens = Math.Min(_tokens.Length, (int)Math.Ceiling(samples / (double)SpeechSteps.SampleRate * TokensPerSecond) + 2);
        var count = 0;
        var logProb = 0f;
        try
        {
            var token = StartToken;
            for (var i = 0; i < maxTokens; i++)
            {
                ids[0] = token;
                useCache[0] = i > 0;
                past.CopyTo(values, 3);
                var outputs = _decoder.Run(_run, names, values, outputNames);
                var logits = outputs[0].GetTensorDataAsSpan<float>();
                token = ArgMax(logits);
                logProb += LogSoftmax(logits, token);
                // The decoder caches move on every step; the encoder (cross-attention) caches are the first step's.
                for (var k = 0; k < past.Length; k++)
                    if (i == 0 || !_isEncoderCache[k]) past[k] = outputs[1 + k];
                if (i == 0) first = outputs;
                else previous?.Dispose();
                if (i > 0) previous = outputs;
                if (token == EndToken) break;
                _tokens[count++] = token;
            }
        }
        finally
        {
            previous?.Dispose();
            first?.Dispose();
        }
        return (count, logProb);
    }

    /// <summary>Teacher-forced log-likelihoods of the candidates numbered in <paramref name="batch"/>, in one batched run without the cache; with the end token after each when <paramref name="ending"/>.</summary>
    private void Score(OrtValue states, IReadOnlyList<int[]> candidates, ReadOnlySpan<int> batch, Span<float> scores, bool ending)
    {
        var n = batch.Length;
        var length = 1;
        for (var b = 0; b < n; b++) length = Math.Max(length, candidates[batch[b]].Length + 1);
        var ids = new long[n * length];
        Array.Fill(ids, EndToken);
        for (var b = 0; b < n; b++)
        {
            ids[b * length] = StartToken;
            var c = candidates[batch[b]];
            for (var j = 0; j < c.Length; j++) ids[(b * length) + j + 1] = c[j];
        }
        var shape = states.GetTensorTypeAndShape().Shape;
        var one = states.GetTensorDataAsSpan<float>();
        var batched = new float[n * one.Length];
        for (var b = 0; b < n; b++) one.CopyTo(batched.AsSpan(b * one.Length));
        var cache = (long[])_cacheShape.Clone();
        cache[0] = n;

        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [n, length]);
        using var statesValue = OrtValue.CreateTensorValueFromMemory(batched, [n, shape[1], shape[2]]);
        using var useCacheValue = OrtValue.CreateTensorValueFromMemory(new bool[1], [1]);
        using var empty = OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), cache);
        var names = DecoderInputNames();
        var values = new OrtValue[names.Length];
        values[0] = idsValue;
        values[1] = statesValue;
        values[2] = useCacheValue;
        for (var k = 3; k < values.Length; k++) values[k] = empty;
        using var outputs = _decoder.Run(_run, names, values, ["logits"]);
        var logits = outputs[0].GetTensorDataAsSpan<float>();
        var vocabulary = logits.Length / (n * length);
        for (var b = 0; b < n; b++)
        {
            var c = candidates[batch[b]];
            var sum = 0f;
            for (var j = 0; j < c.Length + (ending ? 1 : 0); j++)
            {
                var target = j < c.Length ? c[j] : EndToken;
                sum += LogSoftmax(logits.Slice(((b * length) + j) * vocabulary, vocabulary), target);
            }
            scores[batch[b]] = sum;
        }
    }

    private string[] DecoderInputNames()
    {
        var names = new string[3 + _pastNames.Length];
        names[0] = "input_ids";
        names[1] = "encoder_hidden_states";
        names[2] = "use_cache_branch";
        _pastNames.CopyTo(names, 3);
        return names;
    }

    /// <summary>ln softmax(logits)[index], vectorised: a decision takes it for every token of every candidate over the 32 000-piece vocabulary.</summary>
    private float LogSoftmax(ReadOnlySpan<float> logits, int index)
    {
        if (_softmax.Length < logits.Length) _softmax = new float[logits.Length];
        var max = TensorPrimitives.Max(logits);
        var shifted = _softmax.AsSpan(0, logits.Length);
        TensorPrimitives.Subtract(logits, max, shifted);
        TensorPrimitives.Exp(shifted, shifted);
        return logits[index] - max - MathF.Log(TensorPrimitives.Sum(shifted));
    }

    private static int ArgMax(ReadOnlySpan<float> logits) => TensorPrimitives.IndexOfMax(logits);

    public void Dispose()
    {
        try
        {
            _warm.Wait();
        }
        catch (AggregateException)
        {
            // A failed warm-up is no reason to keep the sessions.
        }
        _run.Dispose();
        _decoder?.Dispose();
        _encoder?.Dispose();
    }
}

/// <summary>What the transcriber heard: the greedy text, its log-likelihood and its tokens (with the end token).</summary>
public readonly record struct Transcript(string Text, float LogProb, int Tokens);

/// <summary>Where the transcriber's files are: Moonshine's encoder and decoder, and the token vocabulary.</summary>
public sealed record SpeechTranscriberPaths(string Encoder, string Decoder, string Vocabulary)
{
    public static SpeechTranscriberPaths From(ModelStore store) =>
        new(store.Require(EncoderId), store.Require(DecoderId), store.Require(VocabularyId));

    /// <summary>Manifest ids of the transcriber's files.</summary>
    public const string EncoderId = "moonshine_tiny_encoder", DecoderId = "moonshine_tiny_decoder", VocabularyId = "llama_tokenizer";
}
