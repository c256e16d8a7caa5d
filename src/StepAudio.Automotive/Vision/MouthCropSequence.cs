namespace StepAudio.Automotive.Vision;

/// <summary>
/// The last <see cref="Frames"/> gray mouth crops of one seat, each <see cref="Size"/> × <see cref="Size"/>
/// (88 by default, the size lip-reading front ends such as LRW-trained 3-D-conv ResNets take), centred on the
/// lips and scaled so the mouth's corner-to-corner width covers 60 % of the crop. A frame without a face
/// repeats the previous crop so the sequence stays evenly timed.
/// </summary>
public sealed class MouthCropSequence
{
    private readonly byte[] _crops;
    private int _next;

    public MouthCropSequence(int frames = 29, int size = 88)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 8);
        Frames = frames;
        Size = size;
        _crops = new byte[frames * size * size];
    }

    public int Frames { get; }
    public int Size { get; }

    /// <summary>Crops added so far (saturates at no limit; compare with <see cref="Frames"/> to know if the window is full).</summary>
    public long Count { get; private set; }

    /// <summary>Fraction of the crop's side that the mouth width spans.</summary>
    public const double MouthWidthFraction = 0.6;

    /// <summary>Samples the mouth of <paramref name="landmarks"/> from a gray frame into the sequence (bilinear, axis-aligned).</summary>
    public void Add(ReadOnlySpan<byte> luma, int width, int height, FaceLandmarks landmarks)
    {
        var (cx, cy) = landmarks.Centre(48, 68);
        var mouth = Math.Sqrt(Math.Pow(landmarks.X(54) - landmarks.X(48), 2) + Math.Pow(landmarks.Y(54) - landmarks.Y(48), 2));
        var step = Math.Max(mouth, 4) / MouthWidthFraction / Size;
        var dst = _crops.AsSpan(_next * Size * Size, Size * Size);
        for (var y = 0; y < Size; y++)
        {
            var sy = cy + ((y - (Size / 2.0) + 0.5) * step);
            for (var x = 0; x < Size; x++)
            {
                var sx = cx + ((x - (Size / 2.0) + 0.5) * step);
                dst[(y * Size) + x] = (byte)Math.Round(GrayImage.Bilinear(luma, width, height, sx, sy));
            }
        }
        Advance();
    }

    /// <summary>No face this frame: repeat the previous crop (or black before the first).</summary>
    public void Repeat()
    {
        var prev = (_next + Frames - 1) % Frames;
        if (Count > 0) _crops.AsSpan(prev * Size * Size, Size * Size).CopyTo(_crops.AsSpan(_next * Size * Size, Size * Size));
        else _crops.AsSpan(_next * Size * Size, Size * Size).Clear();
        Advance();
    }

    private void Advance()
    {
        _next = (_next + 1) % Frames;
        Count++;
    }

    /// <summary>The newest crop's pixels (row-major).</summary>
    public ReadOnlySpan<byte> Latest => _crops.AsSpan(((_next + Frames - 1) % Frames) * Size * Size, Size * Size);

    /// <summary>
    /// Writes the sequence oldest first as floats (x / 255 − mean) / std into a [T, H, W] span — the
    /// [1, 1, T, H, W] tensor of a 3-D-conv visual front end.
    /// </summary>
    public void CopyTo(Span<float> thw, float mean, float std)
    {
        var plane = Size * Size;
        if (thw.Length < Frames * plane) throw new ArgumentException($"needs {Frames * plane} floats", nameof(thw));
        for (var t = 0; t < Frames; t++)
        {
            var src = _crops.AsSpan(((_next + t) % Frames) * plane, plane);
            var dst = thw.Slice(t * plane, plane);
            for (var i = 0; i < plane; i++) dst[i] = ((src[i] / 255f) - mean) / std;
        }
    }
}
