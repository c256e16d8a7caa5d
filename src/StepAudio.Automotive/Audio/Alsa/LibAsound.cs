using System.Runtime.InteropServices;

namespace StepAudio.Automotive.Audio.Alsa;

/// <summary>
/// The few libasound entry points capture needs (alsa-lib's pcm.h, conf.h, input.h).
/// Handles are opaque pointers; negative return values are -errno.
/// </summary>
internal static partial class LibAsound
{
    private const string Lib = "libasound.so.2";

    public const int StreamCapture = 1;          // SND_PCM_STREAM_CAPTURE
    public const int AccessRwInterleaved = 3;    // SND_PCM_ACCESS_RW_INTERLEAVED
    public const int FormatS16Le = 2;            // SND_PCM_FORMAT_S16_LE
    public const int FormatS32Le = 10;           // SND_PCM_FORMAT_S32_LE
    public const int EPipe = 32;                 // overrun
    public const int EStrPipe = 86;              // suspended (power management)
    public const int EAgain = 11;
    public const int EIntr = 4;

    [LibraryImport(Lib, EntryPoint = "snd_pcm_open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PcmOpen(out nint pcm, string name, int stream, int mode);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_open_lconf", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PcmOpenLconf(out nint pcm, string name, int stream, int mode, nint config);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_close")]
    public static partial int PcmClose(nint pcm);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_hw_params_malloc")]
    public static partial int HwParamsMalloc(out nint parameters);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_hw_params_free")]
    public static partial void HwParamsFree(nint parameters);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_hw_params_any")]
    public static partial int HwParamsAny(nint pcm, nint parameters);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_hw_params_set_access")]
    public static partial int HwParamsSetAccess(nint pcm, nint parameters, int access);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_hw_params_set_format")]
    public static partial int HwParamsSetFormat(nint pcm, nint parameters, int format);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_hw_params_set_channels")]
    public static partial int HwParamsSetChannels(nint pcm, nint parameters, uint channels);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_hw_params_set_rate_near")]
    public static partial int HwParamsSetRateNear(nint pcm, nint parameters, ref uint rate, ref int dir);

    // snd_pcm_uframes_t is unsigned long: 64 bits on the Linux targets we build for.
    [LibraryImport(Lib, EntryPoint = "snd_pcm_hw_params_set_period_size_near")]
    public static partial int HwParamsSetPeriodSizeNear(nint pcm, nint parameters, ref nuint frames, ref int dir);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_hw_params_set_buffer_size_near")]
    public static partial int HwParamsSetBufferSizeNear(nint pcm, nint parameters, ref nuint frames);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_hw_params")]
    public static partial int HwParams(nint pcm, nint parameters);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_prepare")]
    public static partial int PcmPrepare(nint pcm);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_recover")]
    public static partial int PcmRecover(nint pcm, int err, int silent);

    [LibraryImport(Lib, EntryPoint = "snd_pcm_readi")]
    public static unsafe partial nint PcmReadi(nint pcm, void* buffer, nuint frames);

    [LibraryImport(Lib, EntryPoint = "snd_strerror")]
    private static partial nint StrError(int errnum);

    [LibraryImport(Lib, EntryPoint = "snd_config_update_ref")]
    public static partial int ConfigUpdateRef(out nint top);

    [LibraryImport(Lib, EntryPoint = "snd_config_unref")]
    public static partial void ConfigUnref(nint top);

    [LibraryImport(Lib, EntryPoint = "snd_config_copy")]
    public static partial int ConfigCopy(out nint dst, nint src);

    [LibraryImport(Lib, EntryPoint = "snd_config_load")]
    public static partial int ConfigLoad(nint config, nint input);

    [LibraryImport(Lib, EntryPoint = "snd_config_delete")]
    public static partial int ConfigDelete(nint config);

    [LibraryImport(Lib, EntryPoint = "snd_input_stdio_open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int InputStdioOpen(out nint input, string file, string mode);

    [LibraryImport(Lib, EntryPoint = "snd_input_close")]
    public static partial int InputClose(nint input);

    public static string Describe(int err) => Marshal.PtrToStringUTF8(StrError(err)) ?? $"error {err}";
}
