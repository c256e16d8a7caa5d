namespace StepAudio.Automotive.Service.Cli;

/// <summary>Process exit codes that scripts and systemd can act on.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Something unexpected failed inside the service.</summary>
    public const int Failure = 1;

    /// <summary>Bad input: a file, profile, option or configuration value. The message says which.</summary>
    public const int BadInput = 2;

    /// <summary><c>hil score</c>: the run scored below a configured threshold.</summary>
    public const int BelowThreshold = 3;
}
