using System.Net;
using System.Net.Sockets;

namespace Ekm.Testing;

/// <summary>The loopback ports one <c>Ekm.Host</c> listens on: HTTP, the Orleans silo and gateway, the embedded local KMS.</summary>
internal sealed record HostPorts(int Http, int Silo, int OrleansGateway, int LocalKms)
{
    /// <summary>Four distinct ports that were free a moment ago (held open together, so none repeats).</summary>
    public static HostPorts Free()
    {
        var sockets = Enumerable.Range(0, 4).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToList();
        try
        {
            sockets.ForEach(s => s.Bind(new IPEndPoint(IPAddress.Loopback, 0)));
            var ports = sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
            return new(ports[0], ports[1], ports[2], ports[3]);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }
}
