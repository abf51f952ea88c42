using System.Net;
using System.Net.Sockets;

namespace Ekm.Host.Hosting;

/// <summary>Tells, before anything starts, whether a port the host needs is already taken.</summary>
internal static class PortProbe
{
    public static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(1);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
