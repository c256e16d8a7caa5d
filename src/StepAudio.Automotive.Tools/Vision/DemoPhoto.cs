using SkiaSharp;

namespace StepAudio.Automotive.Tools.Vision;

/// <summary>A photo (face-api's demo JPEGs) decoded to interleaved RGB and to gray (ITU-R 601 luma).</summary>
public static class DemoPhoto
{
    public static (int Width, int Height, byte[] Rgb, byte[] Gray) Load(string jpegPath)
    {
        using var bitmap = SKBitmap.Decode(jpegPath) ?? throw new InvalidInputException(jpegPath, "not a decodable image");
        int w = bitmap.Width, h = bitmap.Height;
        var rgb = new byte[w * h * 3];
        var gray = new byte[w * h];
        var pixels = bitmap.Pixels;
        for (var i = 0; i < w * h; i++)
        {
            var c = pixels[i];
            rgb[3 * i] = c.Red;
            rgb[(3 * i) + 1] = c.Green;
            rgb[(3 * i) + 2] = c.Blue;
            gray[i] = (byte)Math.Round((0.299 * c.Red) + (0.587 * c.Green) + (0.114 * c.Blue));
        }
        return (w, h, rgb, gray);
    }
}
