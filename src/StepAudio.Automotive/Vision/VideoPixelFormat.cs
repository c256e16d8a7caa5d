namespace StepAudio.Automotive.Vision;

/// <summary>How a camera or pipe lays out its pixels. Every stage downstream works on 8-bit luma.</summary>
public enum VideoPixelFormat
{
    /// <summary>8-bit gray (V4L2 GREY, Y4M mono, or the Y plane of 4:2:0).</summary>
    Gray8,

    /// <summary>16-bit little-endian gray (V4L2 Y16), the usual raw IR format.</summary>
    Gray16,

    /// <summary>Packed 4:2:2 Y0 U Y1 V (V4L2 YUYV); only the luma is used.</summary>
    Yuyv,
}

public static class VideoPixelFormatExtensions
{
    public static int BytesPerPixel(this VideoPixelFormat format) => format == VideoPixelFormat.Gray8 ? 1 : 2;

    /// <summary>The V4L2/GStreamer-style name: <c>GREY</c>, <c>Y16</c>, <c>YUYV</c>.</summary>
    public static string Name(this VideoPixelFormat format) => format switch
    {
        VideoPixelFormat.Gray8 => "GREY",
        VideoPixelFormat.Gray16 => "Y16",
        _ => "YUYV",
    };

    public static VideoPixelFormat Parse(string text, string source) => text.ToUpperInvariant() switch
    {
        "GREY" or "GRAY8" or "GRAY" => VideoPixelFormat.Gray8,
        "Y16" or "GRAY16_LE" => VideoPixelFormat.Gray16,
        "YUYV" or "YUY2" => VideoPixelFormat.Yuyv,
        _ => throw new InvalidInputException(source, $"unsupported pixel format '{text}' (use GREY, Y16 or YUYV)"),
    };

    /// <summary>Converts one frame of <paramref name="format"/> pixels to 8-bit luma.</summary>
    public static void ToLuma(this VideoPixelFormat format, ReadOnlySpan<byte> pixels, Span<byte> luma)
    {
        switch (format)
        {
            case VideoPixelFormat.Gray8:
                pixels[..luma.Length].CopyTo(luma);
                break;
            case VideoPixelFormat.Gray16:
                // Little endian: the high byte is the top 8 bits of the 16-bit sample.
                for (var i = 0; i < luma.Length; i++) luma[i] = pixels[(2 * i) + 1];
                break;
            default:
                // Y0 U Y1 V: luma sits on the even bytes.
                for (var i = 0; i < luma.Length; i++) luma[i] = pixels[2 * i];
                break;
        }
    }
}
