using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// A bank of simulated cabin responses for rendering training and evaluation clips quickly: for every
/// cabin profile, a few RT60s, every seat (with small mouth offsets) and every loudspeaker, the
/// image-source impulse response to each microphone; plus a stretch of the cabin's diffuse road noise
/// at each microphone. A clip picks one cabin, source and microphone, so it hears that seat's
/// reverberation and that microphone's noise, as a zone beam would (roughly: one microphone, no beam gain).
/// </summary>
public sealed class CabinAcoustics
{
    private const double NoiseSeconds = 24;
    private static readonly double[] Rt60s = [0.07, 0.12, 0.18];
    private static readonly Point3[] MouthOffsets = [new(0, 0, 0), new(0.06, -0.04, 0.03), new(-0.05, 0.05, -0.03)];

    private readonly List<Response> _seats = [];
    private readonly List<Response> _speakers = [];
    private readonly List<float[][]> _noise = [];

    /// <summary>One source at one microphone: its impulse response and the index of that cabin's noise.</summary>
    public sealed record Response(string Cabin, string Source, int Mic, float[] ImpulseResponse, int NoiseIndex);

    public CabinAcoustics(IReadOnlyList<CabinProfile> cabins, int seed)
    {
        foreach (var cabin in cabins)
        {
            var interior = cabin.Interior ?? throw new InvalidInputException(cabin.Name, "interior: training needs the cabin's interior box and RT60");
            var noiseIndex = _noise.Count;
            var noiseRoom = new ImageSourceRoom(interior, CabinProfile.PipelineSampleRate, 0.12);
            _noise.Add(DiffuseNoiseField.Render(noiseRoom, interior.Min, interior.Max, cabin.Mics,
                (int)(NoiseSeconds * CabinProfile.PipelineSampleRate), DiffuseNoiseField.DefaultSources, seed + _noise.Count));
            foreach (var rt60 in Rt60s)
            {
                var room = new ImageSourceRoom(interior, CabinProfile.PipelineSampleRate, rt60);
                foreach (var zone in cabin.Zones)
                    foreach (var offset in MouthOffsets)
                        Add(_seats, cabin, zone.Name, room.ImpulseResponses(zone.Position + offset, cabin.Mics), noiseIndex);
                foreach (var speaker in cabin.Loudspeakers)
                    Add(_speakers, cabin, speaker.Name, room.ImpulseResponses(speaker.Position, cabin.Mics), noiseIndex);
            }
        }
        if (_seats.Count == 0) throw new ArgumentException("no cabin with seats given", nameof(cabins));
    }

    public int SeatResponses => _seats.Count;

    /// <summary>A random seat at a random microphone of a random cabin.</summary>
    public Response PickSeat(Random rng) => _seats[rng.Next(_seats.Count)];

    /// <summary>A random door loudspeaker (radio); a seat when no cabin has loudspeakers.</summary>
    public Response PickLoudspeaker(Random rng) => _speakers.Count > 0 ? _speakers[rng.Next(_speakers.Count)] : PickSeat(rng);

    /// <summary>Fills <paramref name="output"/> with the road noise of the response's cabin at its microphone, from a random offset.</summary>
    public void Noise(Response response, Random rng, Span<float> output)
    {
        var channel = _noise[response.NoiseIndex][response.Mic];
        var pos = rng.Next(channel.Length);
        for (var i = 0; i < output.Length; i++)
        {
            output[i] = channel[pos];
            if (++pos == channel.Length) pos = 0;
        }
    }

    private static void Add(List<Response> list, CabinProfile cabin, string source, float[][] irs, int noiseIndex)
    {
        for (var m = 0; m < irs.Length; m++) list.Add(new Response(cabin.Name, source, m, irs[m], noiseIndex));
    }
}
