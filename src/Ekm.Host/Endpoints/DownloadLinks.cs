using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ekm.Host.Endpoints;

/// <summary>
/// Expiring links for PST URL downloads: the URL itself is the authorization (HMAC-SHA256 over
/// tenant, job, file and expiry), so it can be handed to a mail client or a browser without an API
/// key. The signing key lives only in this process: links do not survive a restart, which their
/// short lifetime makes harmless.
/// </summary>
internal sealed class DownloadLinks(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Create(string tenantId, string jobId, string file)
    {
        var expires = time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds();
        return $"/api/downloads/{tenantId}/{jobId}/{Uri.EscapeDataString(file)}?expires={expires}&signature={Sign(tenantId, jobId, file, expires)}";
    }

    /// <summary>Null when the link is good; otherwise why not, in words for the person holding it.</summary>
    public string? Check(string tenantId, string jobId, string file, long expires, string? signature)
    {
        var expected = Encoding.ASCII.GetBytes(Sign(tenantId, jobId, file, expires));
        if (signature is null || !CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)))
        {
            return "This download link is not valid: ask for a new one from the job's page.";
        }

        return time.GetUtcNow().ToUnixTimeSeconds() > expires
            ? "This download link has expired: ask for a new one from the job's page."
            : null;
    }

    private string Sign(string tenantId, string jobId, string file, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key,
            Encoding.UTF8.GetBytes(string.Join('\n', tenantId, jobId, file, expires.ToString(CultureInfo.InvariantCulture)))));
}
