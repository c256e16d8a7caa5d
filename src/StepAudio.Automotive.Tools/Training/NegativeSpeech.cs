namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// Speech that must not wake the service or be taken for a command: everyday cabin chatter, radio
/// talk, and phrases that sound like the wake word. (The HIL rig's chatter, <c>ScenarioGenerator.Chatter</c>,
/// is kept for evaluation and not used here.)
/// </summary>
public static class NegativeSpeech
{
    public static readonly string[] Chatter =
    [
        "what time does the meeting start tomorrow",
        "i left my sunglasses at the restaurant",
        "look at that old car in front of us",
        "we need to buy milk and bread on the way back",
        "the traffic was terrible this morning on the bridge",
        "are we there yet i am getting hungry",
        "my phone battery is almost empty",
        "she said the concert was sold out weeks ago",
        "turn left after the gas station and then keep going",
        "that song reminds me of our holiday in spain",
        "do you think it will rain later this afternoon",
        "the children have a football match on saturday",
        "i read an interesting article about electric cars",
        "please remind me to water the plants tonight",
        "the new bakery on the corner has great croissants",
        "how was your day at work today",
        "we should leave earlier next time to avoid the rush",
        "the museum is closed on mondays",
        "can you pass me the water bottle",
        "i think the exit is coming up soon",
        "good morning and welcome to the breakfast show",
        "here is the weather forecast for the weekend",
        "stocks closed higher after a volatile session",
        "the president will speak to the nation this evening",
        "coming up next an interview with the mayor",
        "temperatures will drop sharply overnight",
        "thanks for listening stay tuned for more hits",
        "the home team scored in the final minute",
        "let me tell you a funny story about my neighbour",
        "nobody knows where the keys are",
        "this road is much quieter than the highway",
        "the window seat was taken so i sat in the middle",
        "i need to call my mother when we get home",
        "do you want to stop for lunch soon",
        "the music festival starts next friday",
        "he parked the car right next to the entrance",
        "my favourite season is autumn",
        "the temperature outside is quite pleasant today",
        "we watched a documentary about whales last night",
        "there is a lot of construction on this street",
    ];

    /// <summary>
    /// Requests the grammar does not hold, many sharing its words ("turn on the radio", "open the trunk"):
    /// after a wake word they must stay none, not become the nearest command.
    /// </summary>
    public static readonly string[] OutOfGrammar =
    [
        "play some jazz", "turn on the radio", "open the trunk", "close the trunk", "turn on the headlights",
        "set an alarm for seven", "what is the weather like", "turn off the engine", "lock the doors",
        "unlock the doors", "open the glove box", "turn the music off", "call my sister", "find a coffee shop",
        "make it brighter", "turn down the lights", "set the fan to high", "play the news", "read my messages",
        "what time is it", "how far is it to the airport", "turn on the wipers", "open the garage",
        "the temperature is fine", "close the door", "skip the intro", "turn on the heater in the back",
        "take me to the beach", "navigate to the airport", "find the nearest hotel", "answer me", "call it a day",
        "turn the seat back", "open the sunshade", "set the volume to ten", "make it louder please",
        "play my playlist", "reject that idea", "warm up the engine", "turn the reading lamp around",
    ];

    /// <summary>Near misses of "hey jarvis": the wake head must say no to each.</summary>
    public static readonly string[] Confusables =
    [
        "hey travis", "hey marvin", "jarvis", "hey jarvey", "hey davis", "hey mavis", "hey charles", "hey jar",
        "hey", "hey there", "harvest", "hey service", "jars of jam", "hey garvey", "hey jack", "hi jeremy",
        "hey harvey", "a jar of peas", "hey james", "jarvis is here", "hey siri", "hey you", "carpets", "hey parvis",
    ];
}
