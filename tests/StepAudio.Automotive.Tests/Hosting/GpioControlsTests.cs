using System.Device.Gpio;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Service.Hosting;

namespace StepAudio.Automotive.Tests.Hosting;

/// <summary>GPIO behaviour against an in-memory driver (no GPIO chip here): wiring is active-low with pull-ups.</summary>
public sealed class GpioControlsTests
{
    private const int PttPin = 5, PrivacyPin = 6, LedPin = 7;

    private sealed class Rig : IDisposable
    {
        public readonly FakeGpioDriver Driver = new();
        public readonly FakeTimeProvider Time = new();
        public readonly EventList Events = new();
        public readonly CabinPipeline Pipeline;
        public readonly PipelineHeartbeat Heartbeat = new();
        public readonly GpioControls Controls;

        public Rig(bool privacyOnAtStart = false)
        {
            Driver.Levels[PrivacyPin] = privacyOnAtStart ? PinValue.Low : PinValue.High;
            Driver.Levels[PttPin] = PinValue.High;
            Pipeline = new CabinPipeline(CabinProfileReader.Load(TestPaths.ConsoleCabin), new FanOut(Events, Heartbeat));
            var options = new GpioOptions { Enabled = true, PushToTalkPin = PttPin, PrivacySwitchPin = PrivacyPin, StatusLedPin = LedPin };
            Controls = new GpioControls(options, new GpioController(Driver), Pipeline.Listening, Heartbeat, Time, NullLogger<GpioControls>.Instance);
            Controls.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            Pipeline.Start("test");
        }

        public void Hop() => Pipeline.Process(new float[CabinPipeline.HopFrames * 4]);

        public void Dispose()
        {
            Controls.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            Controls.Dispose();
        }
    }

    private sealed class FanOut(params IEventSink[] sinks) : IEventSink
    {
        public void Publish(CabinEvent e)
        {
            foreach (var s in sinks) s.Publish(e);
        }
    }

    [Fact]
    public void PushToTalkWakesTheDriverZoneOncePerPressDespiteBounce()
    {
        using var rig = new Rig();
        rig.Driver.Set(PttPin, PinValue.Low);   // press
        rig.Driver.Set(PttPin, PinValue.High);  // bounce
        rig.Driver.Set(PttPin, PinValue.Low);
        rig.Hop();
        Assert.Equal([new WakeEvent("push-to-talk", "driver", 1.0, 0.01)], rig.Events.OfType<WakeEvent>());

        rig.Time.Advance(TimeSpan.FromMilliseconds(500));
        rig.Driver.Set(PttPin, PinValue.High);
        rig.Driver.Set(PttPin, PinValue.Low);   // a second, real press
        rig.Hop();
        Assert.Equal(2, rig.Events.OfType<WakeEvent>().Length);
    }

    [Fact]
    public void PrivacySwitchMutesEverythingAndTheLedGoesOff()
    {
        using var rig = new Rig();
        rig.Hop();
        rig.Controls.UpdateLed(LedPin);
        Assert.Equal(PinValue.High, rig.Driver.Levels[LedPin]); // listening

        rig.Driver.Set(PrivacyPin, PinValue.Low);
        rig.Hop();
        var status = rig.Events.OfType<StatusEvent>()[^1];
        Assert.True(status.PrivacySwitch);
        Assert.Equal(4, status.MutedZones.Count);
        rig.Controls.UpdateLed(LedPin);
        Assert.Equal(PinValue.Low, rig.Driver.Levels[LedPin]);
        rig.Controls.UpdateLed(LedPin);
        Assert.Equal(PinValue.Low, rig.Driver.Levels[LedPin]); // steady off, not blinking

        rig.Driver.Set(PttPin, PinValue.Low); // push-to-talk while muted does nothing
        rig.Hop();
        Assert.Empty(rig.Events.OfType<WakeEvent>());

        rig.Driver.Set(PrivacyPin, PinValue.High);
        rig.Hop();
        Assert.False(rig.Events.OfType<StatusEvent>()[^1].PrivacySwitch);
    }

    [Fact]
    public void ASwitchAlreadyOnAtStartMutesBeforeTheFirstHop()
    {
        using var rig = new Rig(privacyOnAtStart: true);
        var first = rig.Events.OfType<StatusEvent>()[0];
        Assert.True(first.PrivacySwitch);
        Assert.Equal(0, first.StreamTime);
    }

    [Fact]
    public void LedBlinksWhileTheInputIsLost()
    {
        using var rig = new Rig();
        rig.Pipeline.InputLost("alsa:cabin_array: No such device");
        var seen = new List<PinValue>();
        for (var i = 0; i < 4; i++)
        {
            rig.Controls.UpdateLed(LedPin);
            seen.Add(rig.Driver.Levels[LedPin]);
            rig.Time.Advance(GpioControls.LedTick);
        }
        Assert.Equal([PinValue.High, PinValue.Low, PinValue.High, PinValue.Low], seen);
    }

    [Fact]
    public void InputsArePulledUpForSwitchToGroundWiring()
    {
        using var rig = new Rig();
        Assert.Equal(PinMode.InputPullUp, rig.Driver.Modes[PttPin]);
        Assert.Equal(PinMode.InputPullUp, rig.Driver.Modes[PrivacyPin]);
        Assert.Equal(PinMode.Output, rig.Driver.Modes[LedPin]);
    }
}

/// <summary>An in-memory GPIO chip: tests set input levels and the registered edge callbacks fire like libgpiod's.</summary>
internal sealed class FakeGpioDriver : GpioDriver
{
    public readonly Dictionary<int, PinValue> Levels = [];
    public readonly Dictionary<int, PinMode> Modes = [];
    private readonly List<(int Pin, PinEventTypes Types, PinChangeEventHandler Callback)> _callbacks = [];

    /// <summary>Drives an input to a level, firing the matching edge callbacks.</summary>
    public void Set(int pin, PinValue value)
    {
        var old = Levels.GetValueOrDefault(pin, PinValue.Low);
        Levels[pin] = value;
        if (old == value) return;
        var edge = value == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
        foreach (var (p, types, callback) in _callbacks.ToArray())
            if (p == pin && (types & edge) != 0) callback(this, new PinValueChangedEventArgs(edge, pin));
    }

    protected override int PinCount => 64;

    protected override void OpenPin(int pinNumber) => Levels.TryAdd(pinNumber, PinValue.Low);

    protected override void ClosePin(int pinNumber) => Modes.Remove(pinNumber);

    protected override void SetPinMode(int pinNumber, PinMode mode) => Modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => Modes[pinNumber];

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => Levels[pinNumber];

    protected override void Write(int pinNumber, PinValue value) => Levels[pinNumber] = value;

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the service uses callbacks");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        _callbacks.Add((pinNumber, eventTypes, callback));

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        _callbacks.RemoveAll(c => c.Pin == pinNumber && c.Callback == callback);
}
