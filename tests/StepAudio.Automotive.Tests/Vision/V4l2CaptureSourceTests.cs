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
