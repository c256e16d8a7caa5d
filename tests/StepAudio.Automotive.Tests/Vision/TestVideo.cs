using System.Text;

namespace StepAudio.Automotive.Tests.Vision;

/// <summary>Writes small Y4M files whose pixels encode the frame number, so reads can be checked exactly.</summary>
internal static class TestVideo
{
    public static byte Pixel(int frame, int x, int y) => (byte)((frame * 31) + (x * 7) + (y * 3));

    public static byte[] Luma(int frame, int width, int height)
    {
        var luma = new byte[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++) luma[(y * width) + x] = Pixel(frame, x, y);
        return luma;
    }

    /// <param name="colour">Y4M C tag: mono or 420jpeg (chroma planes filled with 128).</param>
    public static byte[] Y4m(int width, int height, int frames, string rate = "30:1", string colour = "mono")
    {
        using var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes($"YUV4MPEG2 W{width} H{height} F{rate} Ip A1:1 C{colour}\n"));
        var chroma = colour == "mono" ? 0 : 2 * ((width + 1) / 2) * ((height + 1) / 2);
        for (var f = 0; f < frames; f++)
        {
            ms.Write("FRAME\n"u8);
            ms.Write(Luma(f, width, height));
            ms.Write(Enumerable.Repeat((byte)128, chroma).ToArray());
        }
        return ms.ToArray();
    }

    public static string Write(string dir, byte[] bytes, string name = "cam.y4m")
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
