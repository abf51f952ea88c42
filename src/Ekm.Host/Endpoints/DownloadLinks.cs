using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Endpoints;

/// <summary>
/// Expiring links for PST URL downloads: the URL itself is the authorization (HMAC-SHA256 over
/// tenant, job, file and expiry), so it can be handed to a mail client or a browser without an API
/// key. The signing key is <c>Ekm:Downloads:SigningKey</c>, shared by every silo of a cluster so
/// a link made by one verifies on another; without it a random key lives only in this process and
/// links do not survive a restart, which their short lifetime makes harmless on one silo.
/// </summary>
internal sealed class DownloadLinks(TimeProvider time, IOptions<DownloadOptions> options)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly byte[] _key = options.Value.Key() ?? RandomNumberGenerator.GetBytes(32);

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

/// <summary>Options under <c>Ekm:Downloads</c>.</summary>
public sealed class DownloadOptions
{
    public const string Section = "Ekm:Downloads";

    /// <summary>Base64 of at least 32 random bytes (e.g. <c>openssl rand -base64 32</c>); empty: a per-process key.</summary>
    public string? SigningKey { get; set; }

    public byte[]? Key()
    {
        if (string.IsNullOrWhiteSpace(SigningKey))
        {
            return null;
        }

        var bytes = new byte[SigningKey.Length];
        return Convert.TryFromBase64String(SigningKey, bytes, out var length) && length >= 32 ? bytes[..length] : null;
    }

    public bool IsValid => string.IsNullOrWhiteSpace(SigningKey) || Key() is not null;
}
