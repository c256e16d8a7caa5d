namespace StepAudio.Automotive.Tests.Mqtt;

/// <summary>Wall clock the test moves by hand, so "five minutes later" takes no time. Timers stay real.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
