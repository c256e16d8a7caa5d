namespace StepAudio.Automotive.Vision;

/// <summary>
/// The image region a face-api face processor sees, and how it is fed: the box clipped to the image and
/// floored (x, y, width, height each), the crop zero-padded to a square with the padding split around it
/// (the larger half after), then resized like tf.image.resizeBilinear (alignCorners = false,
/// halfPixelCenters = false) into an NCHW RGB float tensor in 0..255. Gray pixels feed R = G = B.
/// </summary>
public readonly record struct FaceCrop(int X, int Y, int Width, int Height)
{
    /// <summary>The floored, clipped region of <paramref name="box"/>; empty when the box misses the image.</summary>
    public static FaceCrop Of(FaceBox box, int imageWidth, int imageHeight)
    {
        var x = Math.Max(box.X, 0);
        var y = Math.Max(box.Y, 0);
        var w = Math.Min(box.Right - x, imageWidth - x);
        var h = Math.Min(box.Bottom - y, imageHeight - y);
        return new FaceCrop((int)Math.Floor(x), (int)Math.Floor(y), Math.Max(0, (int)Math.Floor(w)), Math.Max(0, (int)Math.Floor(h)));
    }

    public bool IsEmpty => Width <= 0 || Height <= 0;

    /// <summary>Padding before the crop on the padded axis: face-api appends round(diff / 2) and prepends the rest.</summary>
    private int Prepend => Math.Abs(Height - Width) - (int)Math.Floor((Math.Abs(Height - Width) * 0.5) + 0.5);

    /// <summary>Writes the padded, resized crop into <paramref name="nchw"/> (3 planes of size × size).</summary>
    public void Sample(ReadOnlySpan<byte> pixels, int imageWidth, int channels, Span<float> nchw, int size)
    {
        var side = Math.Max(Width, Height);
        var padX = Width < Height ? Prepend : 0;
        var padY = Height < Width ? Prepend : 0;
        var plane = size * size;
        var scale = (double)side / size;
        for (var oy = 0; oy < size; oy++)
        {
            var sy = oy * scale;
            var y0 = (int)Math.Floor(sy);
            var y1 = Math.Min(y0 + 1, side - 1);
            var fy = sy - y0;
            for (var ox = 0; ox < size; ox++)
            {
                var sx = ox * scale;
                var x0 = (int)Math.Floor(sx);
                var x1 = Math.Min(x0 + 1, side - 1);
                var fx = sx - x0;
                for (var c = 0; c < 3; c++)
                {
                    var cc = channels == 1 ? 0 : c;
                    double tl = At(pixels, imageWidth, channels, x0 - padX, y0 - padY, cc), tr = At(pixels, imageWidth, channels, x1 - padX, y0 - padY, cc);
                    double bl = At(pixels, imageWidth, channels, x0 - padX, y1 - padY, cc), br = At(pixels, imageWidth, channels, x1 - padX, y1 - padY, cc);
                    var top = tl + ((tr - tl) * fx);
                    var bottom = bl + ((br - bl) * fx);
                    nchw[(c * plane) + (oy * size) + ox] = (float)(top + ((bottom - top) * fy));
                }
            }
        }
    }

    /// <summary>A pixel of the crop at crop coordinates; zero in the padding.</summary>
    private byte At(ReadOnlySpan<byte> pixels, int imageWidth, int channels, int x, int y, int c) =>
        (uint)x < (uint)Width && (uint)y < (uint)Height ? pixels[((((Y + y) * imageWidth) + X + x) * channels) + c] : (byte)0;
}
