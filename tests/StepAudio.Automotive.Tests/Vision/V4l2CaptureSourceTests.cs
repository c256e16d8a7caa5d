using System.Runtime.CompilerServices;
using StepAudio.Automotive.Vision;
using StepAudio.Automotive.Vision.V4l2;

namespace StepAudio.Automotive.Tests.Vision;

/// <summary>
/// No camera on this machine: the layouts and request numbers are checked against the kernel's
/// values for 64-bit Linux, and the failure paths against real device nodes that are not cameras.
/// </summary>
public class V4l2CaptureSourceTests
{
    [Fact]
    public void StructSizesMatchTheKernel()
    {
        Assert.Equal(104, Unsafe.SizeOf<V4l2Capability>());
        Assert.Equal(208, Unsafe.SizeOf<V4l2Format>());
        Assert.Equal(48, Unsafe.SizeOf<V4l2PixFormat>());
        Assert.Equal(20, Unsafe.SizeOf<V4l2RequestBuffers>());
        Assert.Equal(88, Unsafe.SizeOf<V4l2Buffer>());
        Assert.Equal(8, Unsafe.SizeOf<PollFd>());
    }

    [Fact]
    public void IoctlRequestNumbersMatchTheKernelsIowrValues()
    {
        // As the kernel headers expand them on x86_64 and aarch64.
        Assert.Equal((nuint)0x80685600, V4l2Native.QueryCap);
        Assert.Equal((nuint)0xC0D05605, V4l2Native.SetFormat);
        Assert.Equal((nuint)0xC0145608, V4l2Native.RequestBuffers);
        Assert.Equal((nuint)0xC0585609, V4l2Native.QueryBuffer);
        Assert.Equal((nuint)0xC058560F, V4l2Native.QueueBuffer);
        Assert.Equal((nuint)0xC0585611, V4l2Native.DequeueBuffer);
        Assert.Equal((nuint)0x40045612, V4l2Native.StreamOn);
        Assert.Equal((nuint)0x40045613, V4l2Native.StreamOff);
    }

    [Fact]
    public void FourCcCodesMatchTheKernel()
    {
        Assert.Equal(0x59455247u, V4l2Native.Grey);
        Assert.Equal(0x20363159u, V4l2Native.Y16);
        Assert.Equal(0x56595559u, V4l2Native.Yuyv);
        Assert.Equal("YUYV", V4l2Native.FourCcName(V4l2Native.Yuyv));
    }

    [Fact]
    public void FieldOffsetsMatchTheKernel()
    {
        var b = default(V4l2Buffer);
        unsafe
        {
            var p = (byte*)&b;
            Assert.Equal(24, (int)((byte*)&b.TimestampSeconds - p));
            Assert.Equal(56, (int)((byte*)&b.Sequence - p));
            Assert.Equal(64, (int)((byte*)&b.Offset - p));
            Assert.Equal(72, (int)((byte*)&b.Length - p));
            var f = default(V4l2Format);
            Assert.Equal(8, (int)((byte*)&f.Pix - (byte*)&f));
        }
    }

    [Fact]
    public void MissingDeviceIsAnIOExceptionNamingIt()
    {
        var e = Assert.Throws<IOException>(() => new V4l2CaptureSource("/dev/video-does-not-exist", 640, 480, VideoPixelFormat.Gray8, 30));
        Assert.Equal("v4l2:/dev/video-does-not-exist: cannot open the camera: No such file or directory (errno 2)", e.Message);
    }

    [Fact]
    public void DeviceThatIsNotACameraFailsTheCapabilityQuery()
    {
        // /dev/null opens but answers no V4L2 ioctl: the real ioctl path runs and fails cleanly.
        var e = Assert.Throws<IOException>(() => new V4l2CaptureSource("/dev/null", 640, 480, VideoPixelFormat.Yuyv, 30));
        Assert.StartsWith("v4l2:/dev/null: VIDIOC_QUERYCAP failed: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("(errno 25)", e.Message, StringComparison.Ordinal); // ENOTTY
    }
}

/// <summary>The same layouts and request numbers, compiled by gcc from this machine's kernel headers.</summary>
public class V4l2KernelHeaderTests
{
    [Fact]
    public void LayoutsAndRequestsMatchLinuxVideodev2H()
    {
        const string header = "/usr/include/linux/videodev2.h";
        Assert.True(File.Exists(header), $"{header} is missing: install linux-libc-dev");
        var dir = TestPaths.NewTempDir();
        var c = Path.Combine(dir, "v4l2.c");
        File.WriteAllText(c, """
            #include <stdio.h>
            #include <stddef.h>
            #include <linux/videodev2.h>
            int main(void) {
                printf("%zu %zu %zu %zu %zu\n", sizeof(struct v4l2_capability), sizeof(struct v4l2_format),
                       sizeof(struct v4l2_pix_format), sizeof(struct v4l2_requestbuffers), sizeof(struct v4l2_buffer));
                printf("%zu %zu %zu %zu %zu\n", offsetof(struct v4l2_buffer, timestamp), offsetof(struct v4l2_buffer, sequence),
                       offsetof(struct v4l2_buffer, m), offsetof(struct v4l2_buffer, length), offsetof(struct v4l2_format, fmt));
                printf("%lu %lu %lu %lu %lu %lu %lu %lu\n", (unsigned long)VIDIOC_QUERYCAP, (unsigned long)VIDIOC_S_FMT,
                       (unsigned long)VIDIOC_REQBUFS, (unsigned long)VIDIOC_QUERYBUF, (unsigned long)VIDIOC_QBUF,
                       (unsigned long)VIDIOC_DQBUF, (unsigned long)VIDIOC_STREAMON, (unsigned long)VIDIOC_STREAMOFF);
                printf("%u %u %u\n", V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_Y16, V4L2_PIX_FMT_YUYV);
                return 0;
            }
            """);
        var exe = Path.Combine(dir, "v4l2");
        var (cc, ccOut) = ExternalProcess.Run("gcc", "-o", exe, c);
        Assert.True(cc == 0, ccOut);
        var (_, output) = ExternalProcess.Run(exe);
        var lines = output.Trim().Split('\n');
        Assert.Equal(string.Join(' ', 104, 208, 48, 20, 88), lines[0]);
        Assert.Equal(string.Join(' ', 24, 56, 64, 72, 8), lines[1]);
        Assert.Equal(string.Join(' ', new[] { V4l2Native.QueryCap, V4l2Native.SetFormat, V4l2Native.RequestBuffers, V4l2Native.QueryBuffer,
            V4l2Native.QueueBuffer, V4l2Native.DequeueBuffer, V4l2Native.StreamOn, V4l2Native.StreamOff }), lines[2]);
        Assert.Equal(string.Join(' ', V4l2Native.Grey, V4l2Native.Y16, V4l2Native.Yuyv), lines[3]);
    }
}
