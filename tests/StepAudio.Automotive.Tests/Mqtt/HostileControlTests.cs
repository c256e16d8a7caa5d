using System.Text;
using StepAudio.Automotive.Mqtt;
using StepAudio.Automotive.Mqtt.Control;

namespace StepAudio.Automotive.Tests.Mqtt;

/// <summary>Tests that measure the process's heap run alone, after the parallel ones.</summary>
[CollectionDefinition("heap", DisableParallelization = true)]
public sealed class HeapCollection;

/// <summary>Control topics under attack: whatever arrives, the service answers, stays up and keeps its memory.</summary>
[Collection("heap")]
public class HostileControlTests
{
    private static readonly string[] Zones = ["driver", "front-passenger", "rear-left", "rear-right"];

    private static readonly (string Topic, string Json)[] Valid =
    [
        ("mute", """{"zone":"driver","muted":true}"""),
        ("occupancy", """{"seats":{"driver":true,"rear-left":false}}"""),
        ("playback", """{"state":"playing","source":"radio","volume":0.5}"""),
        ("config", """{"settings":{"wakeSensitivity":0.6,"speechEvents":true}}"""),
    ];

    private static readonly string[] WrongValues = ["1", "\"x\"", "true", "false", "null", "[]", "[1,2]", "{}", "-7", "\"\\u0000\""];

    private static char KindOf(char first) => first switch
    {
        't' or 'f' => 'b',
        '-' or (>= '0' and <= '9') => 'n',
        _ => first,
    };

    /// <summary>One hostile message; every one of them is invalid by construction.</summary>
    internal static (string Topic, byte[] Payload) Hostile(Random rng, int i)
    {
        var (topic, json) = Valid[rng.Next(Valid.Length)];
        switch (i % 8)
        {
            case 0: // fuzzed JSON: a strict prefix of an object never parses
                return (topic, Encoding.UTF8.GetBytes(json[..rng.Next(json.Length)]));
            case 1: // wrong JSON type for a field (the first or the last one)
            {
                var at = rng.Next(2) == 0 ? json.IndexOf(':', StringComparison.Ordinal) : json.LastIndexOf(':');
                var end = json[at + 1] == '{' ? json.LastIndexOf('}') : json.IndexOfAny([',', '}'], at);
                var original = json[at + 1];
                var wrong = WrongValues.Where(v => KindOf(v[0]) != KindOf(original)).ToArray();
                return (topic, Encoding.UTF8.GetBytes(json[..(at + 1)] + wrong[rng.Next(wrong.Length)] + json[end..]));
            }
            case 2: // random bytes
            {
                var b = new byte[rng.Next(1, 400)];
                rng.NextBytes(b);
                if (b[0] == (byte)'{') b[0] = (byte)'!';
                return (topic, b);
            }
            case 3: // unknown topics, with a valid-looking payload
                return (rng.Next(3) switch { 0 => "reboot", 1 => topic + "/extra", _ => "x" + rng.Next(1000) }, Encoding.UTF8.GetBytes(json));
            case 4: // extra property the schema does not allow
                return (topic, Encoding.UTF8.GetBytes(json.Insert(1, "\"__proto__\":{\"admin\":true},")));
            case 5: // deep nesting
                return (topic, Encoding.UTF8.GetBytes(new string('[', 200 + rng.Next(800)) + new string(']', 10)));
            case 6: // oversize: 1 MB (every 80th message), else just over the limit
            {
                var size = i % 80 == 6 ? 1 << 20 : 4097 + rng.Next(4000);
                var b = new byte[size];
                b.AsSpan().Fill((byte)' ');
                Encoding.UTF8.GetBytes(json).CopyTo(b, 0);
                return (topic, b);
            }
            default: // schema-valid shape, wrong cabin (unknown zone) or out of range
                return topic switch
                {
                    "mute" => (topic, Encoding.UTF8.GetBytes($$"""{"zone":"seat{{rng.Next(100)}}","muted":true}""")),
                    "occupancy" => (topic, Encoding.UTF8.GetBytes($$$"""{"seats":{"row{{{rng.Next(100)}}}":true}}""")),
                    "playback" => (topic, Encoding.UTF8.GetBytes($$"""{"state":"playing","volume":{{1.01 + rng.NextDouble()}}}""")),
                    _ => (topic, Encoding.UTF8.GetBytes($$$"""{"settings":{"wakeSensitivity":{{{-1 - rng.Next(5)}}}}}""")),
                };
        }
    }

    [Fact]
    public async Task TenThousandHostileControlMessagesAreAllRejectedWithAReasonAndTheServiceStaysUp()
    {
        await using var broker = await EmbeddedBroker.StartAsync(0);
        var options = GatewayRoundTripTests.Options(TestPaths.NewTempDir());
        var topics = MqttTopics.For(options);
        var state = new ControlState();
        var handler = new ControlHandler(state, Zones, options.MaxControlBytes);
        await using var publisher = new GatewayPublisher(options, GatewayAddress.Parse(broker.Uri, "test"), control: handler);
        publisher.Start();
        await using var attacker = await BusSubscriber.ConnectAsync(broker.Port, topics, clientId: "attacker");
        attacker.Keep = false;
        Assert.True(await attacker.WaitForAsync(_ => publisher.IsConnected));

        var rng = new Random(20261126);
        const int total = 10_000, warmup = 1_000, batch = 100;
        long heapAfterWarmup = 0;
        for (var sent = 0; sent < total; sent += batch)
        {
            var sends = new List<Task>(batch);
            for (var i = sent; i < sent + batch; i++)
            {
                var (name, payload) = Hostile(rng, i);
                var responseTopic = (i % 10) switch { 0 => "replies/infotainment", 1 => "#", 2 => "", _ => null };
                sends.Add(attacker.SendAsync(topics.Control(name), payload, responseTopic, i % 3 == 0 ? BitConverter.GetBytes(i) : null));
            }
            await Task.WhenAll(sends);
            // Bounded wait for the verdicts of this batch, so the response queue is never the bottleneck.
            var expected = sent + batch;
            Assert.True(await attacker.WaitForAsync(a => a.Rejections >= expected, 30), $"{attacker.Rejections} of {expected} verdicts");
            if (expected == warmup) heapAfterWarmup = Heap();
        }
        var heapAtEnd = Heap();

        Assert.Equal(total, handler.Rejected);
        Assert.Equal(0, handler.Accepted);
        Assert.Equal(total, attacker.Rejections);
        Assert.Empty(attacker.SchemaProblems);
        Assert.Empty(state.MutedZones);
        Assert.Equal(1, publisher.Connects); // never dropped the connection
        Assert.True(heapAtEnd - heapAfterWarmup < 16 << 20, $"heap grew {(heapAtEnd - heapAfterWarmup) >> 10} KiB");

        // Still serving: a real control message and an event go through.
        await attacker.SendAsync(topics.Control("mute"), """{"zone":"rear-left","muted":true}"""u8.ToArray());
        Assert.True(await attacker.WaitForAsync(_ => state.IsMuted("rear-left")));
        publisher.Enqueue(SampleEvents.Intent(1, 1.0));
        Assert.True(await publisher.WaitDrainedAsync(TimeSpan.FromSeconds(10)));
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
