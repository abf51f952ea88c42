using System.Runtime.InteropServices;

namespace Ekm.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();

        // The first Ctrl+C (or SIGTERM) cancels the command, which lets `ekm demo` stop its host;
        // a second one ends the process at once.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return await Cli.RunAsync(args, Console.Out, Console.Error, terminal: !Console.IsOutputRedirected, stop.Token);

        void Stop(PosixSignalContext signal)
        {
            if (!stop.IsCancellationRequested)
            {
                signal.Cancel = true;
                stop.Cancel();
            }
        }
    }
}
