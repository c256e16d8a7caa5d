using System.Text;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// The SentencePiece pieces Moonshine's token ids index (LLaMA's 32 000-piece vocabulary), read from
/// llama-tokenizer-js's script, where they are one base64 string of pieces separated by line breaks, and
/// its merges (pairs of piece ids, 16 bits each, in priority order). <c>▁</c> is a space,
/// <c>&lt;0xNN&gt;</c> a raw byte. Encoding is SentencePiece's BPE: characters, then the best-ranked
/// adjacent merge until none applies.
/// </summary>
public sealed class TokenVocabulary
{
    private const string Marker = "llama_vocab_base64 = \"";
    private const string MergesMarker = "llama_merges_binary = \"";

    private readonly string[] _pieces;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<(int, int), int> _mergeRank;

    private TokenVocabulary(string[] pieces, Dictionary<(int, int), int> mergeRank)
    {
        _pieces = pieces;
        _mergeRank = mergeRank;
        _ids = new Dictionary<string, int>(pieces.Length, StringComparer.Ordinal);
        for (var i = 0; i < pieces.Length; i++) _ids.TryAdd(pieces[i], i);
    }

    public int Count => _pieces.Length;

    /// <exception cref="InvalidInputException">The file is not llama-tokenizer-js's script.</exception>
    public static TokenVocabulary Load(string path)
    {
        string script;
        try
        {
            script = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, "cannot read the token vocabulary: " + e.Message);
        }
        try
        {
            var pieces = Encoding.UTF8.GetString(Convert.FromBase64String(Base64String(script, Marker, path))).Split('\n');
            if (pieces.Length < 32000) throw new InvalidInputException(path, $"vocabulary has {pieces.Length} pieces, expected 32000");
            var merges = Convert.FromBase64String(Base64String(script, MergesMarker, path));
            var rank = new Dictionary<(int, int), int>(merges.Length / 4);
            for (var i = 0; i + 3 < merges.Length; i += 4)
            {
                var pair = (merges[i] | (merges[i + 1] << 8), merges[i + 2] | (merges[i + 3] << 8));
                if (pair.Item1 >= pieces.Length || pair.Item2 >= pieces.Length) throw new InvalidInputException(path, $"merge {i / 4} names a piece beyond the vocabulary");
                rank.TryAdd(pair, i / 4);
            }
            return new TokenVocabulary(pieces, rank);
        }
        catch (FormatException e)
        {
            throw new InvalidInputException(path, "vocabulary is not valid base64: " + e.Message);
        }
    }

    private static string Base64String(string script, string marker, string path)
    {
        var start = script.IndexOf(marker, StringComparison.Ordinal);
        var end = start < 0 ? -1 : script.IndexOf('"', start + marker.Length);
        if (end < 0) throw new InvalidInputException(path, $"no '{marker.TrimEnd('"', ' ', '=')}' string: not llama-tokenizer-js");
        return script[(start + marker.Length)..end];
    }

    /// <summary>The token ids of a text (no start token; a space is put before it, as SentencePiece does).</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>();
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in ("▁" + text.Replace(' ', '▁')).EnumerateRunes())
        {
            if (_ids.TryGetValue(rune.ToString(), out var id))
            {
                ids.Add(id);
                continue;
            }
            var n = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..n]) ids.Add(_ids.TryGetValue($"<0x{b:X2}>", out var byteId) ? byteId : 0);
        }
        while (true)
        {
            int best = -1, bestRank = int.MaxValue;
            for (var i = 0; i + 1 < ids.Count; i++)
                if (_mergeRank.TryGetValue((ids[i], ids[i + 1]), out var r) && r < bestRank)
                {
                    bestRank = r;
                    best = i;
                }
            if (best < 0) return [.. ids];
            if (!_ids.TryGetValue(_pieces[ids[best]] + _pieces[ids[best + 1]], out var merged)) return [.. ids];
            ids[best] = merged;
            ids.RemoveAt(best + 1);
        }
    }

    /// <summary>The text of a token sequence (special and unknown ids are skipped).</summary>
    public string Decode(ReadOnlySpan<int> tokens)
    {
        var bytes = new List<byte>(tokens.Length * 4);
        foreach (var t in tokens)
        {
            if (t < 3 || t >= _pieces.Length) continue; // <unk>, <s>, </s>, ids beyond the pieces
            var piece = _pieces[t];
            if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>')
                bytes.Add(Convert.ToByte(piece.Substring(3, 2), 16));
            else
                bytes.AddRange(Encoding.UTF8.GetBytes(piece.Replace('▁', ' ')));
        }
        return Encoding.UTF8.GetString([.. bytes]).Trim();
    }
}
