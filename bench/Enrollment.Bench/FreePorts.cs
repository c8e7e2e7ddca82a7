using System.Net;
using System.Net.Sockets;

namespace OrleansEnrollment.Bench;

public static class FreePorts
{
    /// <summary>
    /// Ports nothing listens on right now. All listeners stay open until every port is picked, so the ports differ;
    /// another process could still take one before we bind it, a race a bench run can live with.
    /// </summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(listener => listener.Start());
            return listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(listener => listener.Stop());
        }
    }
}
