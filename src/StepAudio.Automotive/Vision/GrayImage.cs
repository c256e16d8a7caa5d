namespace StepAudio.Automotive.Vision;

/// <summary>Sampling of an 8-bit gray image stored row by row.</summary>
public static class GrayImage
{
    /// <summary>Bilinear gray value at (<paramref name="x"/>, <paramref name="y"/>); edge pixels repeat outside the image.</summary>
    public static double Bilinear(ReadOnlySpan<byte> gray, int width, int height, double x, double y)
    {
        x = Math.Clamp(x, 0, width - 1);
        y = Math.Clamp(y, 0, height - 1);
        int x0 = (int)x, y0 = (int)y;
        int x1 = Math.Min(x0 + 1, width - 1), y1 = Math.Min(y0 + 1, height - 1);
        double fx = x - x0, fy = y - y0;
        var top = gray[(y0 * width) + x0] + ((gray[(y0 * width) + x1] - gray[(y0 * width) + x0]) * fx);
        var bottom = gray[(y1 * width) + x0] + ((gray[(y1 * width) + x1] - gray[(y1 * width) + x0]) * fx);
        return top + ((bottom - top) * fy);
    }
}
