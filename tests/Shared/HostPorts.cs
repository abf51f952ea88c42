using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ekm.Testing;

/// <summary>The loopback ports one <c>Ekm.Host</c> listens on: HTTP, the Orleans silo and gateway, the embedded local KMS.</summary>
internal sealed record HostPorts(int Http, int Silo, int OrleansGateway, int LocalKms)
{
    /// <summary>The lowest port handed out at random; below it are well-known services (PostgreSQL's 5432 and the like).</summary>
    private const int LowestPort = 10_000;

    /// <summary>
    /// Where the ports come from: below the kernel's ephemeral range, because every outgoing connection
    /// on the machine (an HTTP client, an Orleans client, Npgsql, in any test process) takes its local
    /// port from that range, and one could take a port picked there before the child host binds it.
    /// </summary>
    private static readonly (int Low, int High) Range = PortRange();

    /// <summary>Four distinct ports that were free a moment ago (held open together, so none repeats).</summary>
    public static HostPorts Free()
    {
        var ports = FreePorts(4);
        return new(ports[0], ports[1], ports[2], ports[3]);
    }

    /// <summary>One port that was free a moment ago, for a standalone server a test starts.</summary>
    public static int FreePort() => FreePorts(1)[0];

    private static int[] FreePorts(int count)
    {
        var sockets = new List<Socket>();
        try
        {
            while (sockets.Count < count)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, Range.Low < Range.High ? Random.Shared.Next(Range.Low, Range.High) : 0));
                    sockets.Add(socket);
                }
                catch (SocketException)
                {
                    socket.Dispose(); // taken: draw again
                }
            }

            return [.. sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port)];
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    /// <summary>[10000, the ephemeral range's first port) on Linux; elsewhere (0, 0): the OS picks.</summary>
    private static (int, int) PortRange()
    {
        const string path = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(path)
            && File.ReadAllText(path).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) is [var low, ..]
            && int.TryParse(low, NumberStyles.None, CultureInfo.InvariantCulture, out var ephemeralLow)
            && ephemeralLow - LowestPort >= 1_000)
        {
            return (LowestPort, ephemeralLow);
        }

        return (0, 0);
    }
}
