using System.Runtime.InteropServices;

namespace StepAudio.Automotive.Vision.V4l2;

// The slice of linux/videodev2.h and libc that streaming capture needs, laid out for 64-bit Linux
// (x86_64 and aarch64 agree). Sizes are checked against the kernel's in the tests.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct V4l2Capability
{
    public fixed byte Driver[16];
    public fixed byte Card[32];
    public fixed byte BusInfo[32];
    public uint Version;
    public uint Capabilities;
    public uint DeviceCaps;
    public fixed uint Reserved[3];
}

[StructLayout(LayoutKind.Sequential)]
internal struct V4l2PixFormat
{
    public uint Width;
    public uint Height;
    public uint PixelFormat;
    public uint Field;
    public uint BytesPerLine;
    public uint SizeImage;
    public uint Colorspace;
    public uint Priv;
    public uint Flags;
    public uint YcbcrEnc;
    public uint Quantization;
    public uint XferFunc;
}

/// <summary>struct v4l2_format: the 200-byte union is 8-byte aligned because one member holds pointers.</summary>
[StructLayout(LayoutKind.Explicit, Size = 208)]
internal struct V4l2Format
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(8)] public V4l2PixFormat Pix;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct V4l2RequestBuffers
{
    public uint Count;
    public uint Type;
    public uint Memory;
    public uint Capabilities;
    public byte Flags;
    public fixed byte Reserved[3];
}

/// <summary>struct v4l2_buffer with its struct timeval (two longs) and the 8-byte union m.</summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
internal struct V4l2Buffer
{
    [FieldOffset(0)] public uint Index;
    [FieldOffset(4)] public uint Type;
    [FieldOffset(8)] public uint BytesUsed;
    [FieldOffset(12)] public uint Flags;
    [FieldOffset(16)] public uint Field;
    [FieldOffset(24)] public long TimestampSeconds;
    [FieldOffset(32)] public long TimestampMicroseconds;
    [FieldOffset(56)] public uint Sequence;
    [FieldOffset(60)] public uint Memory;
    [FieldOffset(64)] public uint Offset;
    [FieldOffset(72)] public uint Length;
}

[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short ReturnedEvents;
}

internal static unsafe partial class V4l2Native
{
    public const uint BufTypeVideoCapture = 1;
    public const uint MemoryMmap = 1;
    public const uint FieldNone = 1;
    public const uint CapVideoCapture = 0x00000001;
    public const uint CapStreaming = 0x04000000;
    public const uint CapDeviceCaps = 0x80000000;
    public const uint BufFlagError = 0x00000040;

    public const int ORdWr = 2;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;
    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 1;
    public const short PollIn = 0x1;
    public const short PollErr = 0x8;
    public const short PollHup = 0x10;
    public const short PollNval = 0x20;
    public const int EIntr = 4;
    public const int EAgain = 11;

    public static readonly uint Grey = FourCc('G', 'R', 'E', 'Y');
    public static readonly uint Y16 = FourCc('Y', '1', '6', ' ');
    public static readonly uint Yuyv = FourCc('Y', 'U', 'Y', 'V');

    // _IOC(dir, type, nr, size) from asm-generic/ioctl.h: dir in bits 30-31, size in 16-29, type 8-15, nr 0-7.
    private const uint IocWrite = 1;
    private const uint IocRead = 2;

    public static readonly nuint QueryCap = Ioc(IocRead, 0, sizeof(V4l2Capability));
    public static readonly nuint SetFormat = Ioc(IocRead | IocWrite, 5, sizeof(V4l2Format));
    public static readonly nuint RequestBuffers = Ioc(IocRead | IocWrite, 8, sizeof(V4l2RequestBuffers));
    public static readonly nuint QueryBuffer = Ioc(IocRead | IocWrite, 9, sizeof(V4l2Buffer));
    public static readonly nuint QueueBuffer = Ioc(IocRead | IocWrite, 15, sizeof(V4l2Buffer));
    public static readonly nuint DequeueBuffer = Ioc(IocRead | IocWrite, 17, sizeof(V4l2Buffer));
    public static readonly nuint StreamOn = Ioc(IocWrite, 18, sizeof(int));
    public static readonly nuint StreamOff = Ioc(IocWrite, 19, sizeof(int));

    private static nuint Ioc(uint dir, uint nr, int size) => (dir << 30) | ((uint)size << 16) | ((uint)'V' << 8) | nr;

    public static uint FourCc(char a, char b, char c, char d) => a | ((uint)b << 8) | ((uint)c << 16) | ((uint)d << 24);

    public static string FourCcName(uint code) =>
        new([(char)(code & 0xff), (char)((code >> 8) & 0xff), (char)((code >> 16) & 0xff), (char)(code >> 24)]);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* arg);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>The last call's errno as "text (errno N)".</summary>
    public static string LastError(out int errno)
    {
        errno = Marshal.GetLastPInvokeError();
        return $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
    }
}
