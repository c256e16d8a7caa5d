using System.Globalization;

namespace StepAudio.Automotive.Vision;

/// <summary>
/// Turns a source's frame timestamps into a monotonic stream time. A timestamp that goes backwards
/// or jumps far ahead (a driver clock reset, a glitching pipe) is counted, reported once as a warning,
/// and replaced by the previous time plus one frame interval; the clock then continues from there.
/// Ordinary gaps of a few frames are dropped frames: counted, and kept as they are.
/// </summary>
public sealed class FrameClock
{
    private readonly double _interval;
    private readonly double _maxGap;
    private double _offset;
    private double _lastRaw;
    private bool _started;
    private double _restartAt;

    /// <param name="frameRate">The source's nominal rate.</param>
    /// <param name="maxGapSeconds">A forward step longer than this is a jump, not dropped frames.</param>
    public FrameClock(double frameRate, double maxGapSeconds = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameRate);
        _interval = 1.0 / frameRate;
        _maxGap = Math.Max(maxGapSeconds, 3 * _interval);
    }

    /// <summary>Stream time of the last accepted frame, seconds.</summary>
    public double Last { get; private set; }

    public long Frames { get; private set; }
    public long Dropped { get; private set; }
    public long OutOfOrder { get; private set; }
    public long Jumps { get; private set; }

    /// <summary>The latest anomaly, for the status event; null while there has been none.</summary>
    public string? Warning { get; private set; }

    /// <summary>Takes a frame's raw timestamp and returns its stream time.</summary>
    public double Accept(double rawTimestamp)
    {
        if (!_started)
        {
            _started = true;
            _offset = _restartAt - rawTimestamp;
        }
        else
        {
            var step = rawTimestamp - _lastRaw;
            if (!double.IsFinite(rawTimestamp) || step <= 0)
            {
                OutOfOrder++;
                Warning = Describe("out of order", rawTimestamp);
                Rebase(rawTimestamp);
            }
            else if (step > _maxGap)
            {
                Jumps++;
                Warning = Describe("jumped", rawTimestamp);
                Rebase(rawTimestamp);
            }
            else if (step > 1.5 * _interval)
            {
                Dropped += (long)Math.Round(step / _interval) - 1;
            }
        }
        _lastRaw = double.IsFinite(rawTimestamp) ? rawTimestamp : _lastRaw + _interval;
        Last = Frames == 0 ? _lastRaw + _offset : Math.Max(_lastRaw + _offset, Last + (_interval * 0.5));
        Frames++;
        return Last;
    }

    /// <summary>A reopened source starts its own clock again: its first frame is placed at <paramref name="streamTime"/>.</summary>
    public void Restart(double streamTime)
    {
        _started = false;
        _restartAt = Math.Max(streamTime, Frames == 0 ? 0 : Last + (_interval * 0.5));
    }

    // Continue one interval after the last good frame: later frames keep their spacing from this one.
    private void Rebase(double raw)
    {
        var target = Last + _interval;
        _offset = (double.IsFinite(raw) ? -raw : -(_lastRaw + _interval)) + target;
    }

    private string Describe(string what, double raw) => string.Create(CultureInfo.InvariantCulture,
        $"frame {Frames} timestamp {what} ({_lastRaw:0.###} s then {raw:0.###} s); continuing at {Last + _interval:0.###} s");
}
