using Ekm.Testing;

namespace Ekm.Host.Tests;

/// <summary>
/// <c>Ekm.Host</c> as a real process on free loopback ports (or the HTTP and silo ports a test
/// gives, taken already, say) with a data directory of the test's own.
/// </summary>
internal static class HostProcess
{
    public static ChildHostProcess Start(string dataDirectory, int? httpPort = null, int? siloPort = null, params string[] extraArgs)
    {
        if (httpPort is null && siloPort is null)
        {
            return ChildHostProcess.Start(extraArgs, dataDirectory); // its own ports, chosen again if taken
        }

        var free = HostPorts.Free();
        return ChildHostProcess.Start(extraArgs, dataDirectory, free with { Http = httpPort ?? free.Http, Silo = siloPort ?? free.Silo });
    }
}
