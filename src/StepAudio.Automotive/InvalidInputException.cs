namespace StepAudio.Automotive;

/// <summary>
/// Bad input from outside (a file, a profile field, a message): the message names where and what,
/// in one line, so the CLI can print it as is and exit with code 2.
/// </summary>
public sealed class InvalidInputException : Exception
{
    public InvalidInputException(string source, string problem)
        : base($"{source}: {problem}")
    {
        Source = source;
        Problem = problem;
    }

    public InvalidInputException(string source, string problem, Exception inner)
        : base($"{source}: {problem}", inner)
    {
        Source = source;
        Problem = problem;
    }

    public InvalidInputException()
        : this("input", "invalid")
    {
    }

    public InvalidInputException(string message)
        : this("input", message)
    {
    }

    public InvalidInputException(string message, Exception inner)
        : this("input", message, inner)
    {
    }

    /// <summary>The file, field or topic the problem is in.</summary>
    public new string Source { get; }

    public string Problem { get; }
}
