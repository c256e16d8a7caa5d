using StepAudio.Automotive.Service.Cli;

return await StepAudioCli.InvokeAsync(args, Console.Out, Console.Error);
