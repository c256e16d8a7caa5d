namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>A program the tools run (espeak-ng, flite) is not on this machine: the message says which Debian package to install.</summary>
public sealed class ToolNotInstalledException : Exception
{
    public ToolNotInstalledException()
    {
    }

    public ToolNotInstalledException(string message)
        : base(message)
    {
    }

    public ToolNotInstalledException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
