using Orleans.Concurrency;

namespace Ekm.Keys;

/// <summary>
/// The single authority for one tenant's keys. Grain key: the tenant id (see <see cref="Tenants.TenantId"/>).
/// Refusals are <see cref="Problems.EkmProblemException"/> with a stable slug.
/// </summary>
[Alias("Ekm.Keys.IKeyGrain")]
public interface IKeyGrain : IGrainWithStringKey
{
    /// <summary>The tenant's key management mode, availability, key, health, terms and history.</summary>
    [Alias("GetStatus")]
    Task<TenantKeyStatus> GetStatusAsync();

    /// <summary>
    /// Support switches Enterprise Key Management availability on or off for the tenant.
    /// <paramref name="actor"/> names who asked (recorded, never a secret). Turning it off for a
    /// tenant already on Enterprise Key Management is refused (<c>ekm-irreversible</c>).
    /// </summary>
    [Alias("SetAvailability")]
    Task<TenantKeyStatus> SetAvailabilityAsync(bool activated, string actor);

    /// <summary>Runs every check on a key ARN (syntax, DescribeKey, a GenerateDataKey + Decrypt round trip); changes no key state.</summary>
    [Alias("ValidateKey")]
    Task<KeyValidation> ValidateKeyAsync(string keyArn, string actor);

    /// <summary>Switches the tenant, for good, to the customer key; re-wraps the tenant key from the vendor key.</summary>
    [Alias("Enable")]
    Task<TenantKeyStatus> EnableAsync(EnableEkm request);

    /// <summary>Moves the tenant key to a new customer key (ReEncrypt old → new); durable and resumable.</summary>
    [Alias("UpdateKey")]
    Task<TenantKeyStatus> UpdateKeyAsync(string keyArn, string actor);

    /// <summary>Probes the customer key now and records the verdict.</summary>
    [Alias("CheckHealth")]
    Task<KeyHealth> CheckHealthAsync(string actor);

    /// <summary>
    /// Admits one job operation (DESIGN §4, §12): it starts only after a KMS call made after this
    /// request arrived succeeded. Concurrent requests share one call (single flight); while the
    /// key is revoked requests fail fast with <c>key-revoked</c> and KMS is asked again at most once
    /// per recheck interval.
    /// </summary>
    [Alias("Admit")]
    [AlwaysInterleave]
    Task<KeyLease> AdmitAsync(AdmissionRequest request);

    /// <summary>
    /// A lease on the tenant's legal hold key — the documented exemption (DESIGN §4 rule 5): legal
    /// hold copies are protected by the vendor key, not the customer's, so legal hold (WebDAV)
    /// downloads keep working after a revocation. Not gated by the customer key.
    /// </summary>
    [Alias("LegalHoldLease")]
    [AlwaysInterleave]
    Task<KeyLease> LegalHoldLeaseAsync(AdmissionRequest request);

    /// <summary>The tenant's key events, newest first, with the hash chain verified.</summary>
    [Alias("GetAudit")]
    Task<AuditLog> GetAuditAsync();
}
