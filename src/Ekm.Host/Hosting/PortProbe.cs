using System.Net;
using System.Net.Sockets;

namespace Ekm.Host.Hosting;

/// <summary>Tells, before anything starts, whether a port the host needs is already taken.</summary>
internal static class PortProbe
{
    /// <summary>The start-up problem for the loopback port set by <paramref name="key"/>, or null when it is free.</summary>
    public static string? InUse(string key, int port) => IsFree(IPAddress.Loopback, port)
        ? null
        : $"{key}: port {port} is already in use: stop the program using it or choose another port with --{key}=N (environment: {key.Replace(":", "__", StringComparison.Ordinal)}).";

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
