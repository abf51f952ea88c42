using System.Diagnostics;
using System.Net.Sockets;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.Grains.Telemetry;
using Ekm.Keys;
using Ekm.Problems;

namespace Ekm.Grains.Kms;

/// <summary>
/// <see cref="IKms"/> over AWSSDK.KeyManagementService. The SDK retries transient faults
/// (throttling, 5xx, timeouts) with backoff; what is still failing becomes <c>kms-unavailable</c>.
/// Refusals are classified by <c>ErrorCode</c> — the SDK maps codes to typed exceptions only for
/// errors an operation's model lists.
/// </summary>
public sealed class AwsKms(IKmsClientProvider clients, EkmMetrics metrics, TimeProvider time) : IKms
{
    public async Task<KmsKeyInfo> DescribeKeyAsync(string keyIdOrArn, CancellationToken cancellationToken = default)
    {
        var metadata = (await CallAsync("DescribeKey", keyIdOrArn, c => c.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyIdOrArn }, cancellationToken))).KeyMetadata;
        return new KmsKeyInfo(metadata.Arn, metadata.AWSAccountId, metadata.KeyState?.Value ?? "", metadata.KeySpec?.Value ?? "",
            metadata.KeyUsage?.Value ?? "", metadata.Enabled ?? false);
    }

    public async Task<(bool Enabled, int? PeriodInDays, DateTimeOffset? Next, DateTimeOffset? OnDemandStart)> GetRotationStatusAsync(string keyArn, CancellationToken cancellationToken = default)
    {
        var status = await CallAsync("GetKeyRotationStatus", keyArn, c => c.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyArn }, cancellationToken));
        return (status.KeyRotationEnabled ?? false, status.RotationPeriodInDays, Utc(status.NextRotationDate), Utc(status.OnDemandRotationStartDate));

        static DateTimeOffset? Utc(DateTime? time) => time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc)) : null;
    }

    public async Task<(byte[] Plaintext, byte[] Wrapped)> GenerateDataKeyAsync(string keyArn, string tenantId, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("GenerateDataKey", keyArn, c => c.GenerateDataKeyAsync(new GenerateDataKeyRequest
        {
            KeyId = keyArn,
            KeySpec = DataKeySpec.AES_256,
            EncryptionContext = TenantContext.For(tenantId),
        }, cancellationToken));
        return (response.Plaintext.ToArray(), response.CiphertextBlob.ToArray());
    }

    public async Task<byte[]> GenerateWrappedKeyAsync(string keyArn, string tenantId, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("GenerateDataKeyWithoutPlaintext", keyArn, c => c.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest
        {
            KeyId = keyArn,
            KeySpec = DataKeySpec.AES_256,
            EncryptionContext = TenantContext.For(tenantId),
        }, cancellationToken));
        return response.CiphertextBlob.ToArray();
    }

    public async Task<byte[]> DecryptAsync(string keyArn, byte[] wrapped, string tenantId, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("Decrypt", keyArn, c => c.DecryptAsync(new DecryptRequest
        {
            KeyId = keyArn,
            CiphertextBlob = new MemoryStream(wrapped),
            EncryptionContext = TenantContext.For(tenantId),
        }, cancellationToken));
        return response.Plaintext.ToArray();
    }

    public async Task<byte[]> ReEncryptAsync(byte[] wrapped, string sourceKeyArn, string destinationKeyArn, string tenantId, CancellationToken cancellationToken = default)
    {
        // Cross-region re-encryption is sent to the destination's region; the source ARN says where the blob came from.
        var response = await CallAsync("ReEncrypt", destinationKeyArn, c => c.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(wrapped),
            SourceKeyId = sourceKeyArn,
            SourceEncryptionContext = TenantContext.For(tenantId),
            DestinationKeyId = destinationKeyArn,
            DestinationEncryptionContext = TenantContext.For(tenantId),
        }, cancellationToken));
        return response.CiphertextBlob.ToArray();
    }

    private async Task<T> CallAsync<T>(string operation, string keyIdOrArn, Func<IAmazonKeyManagementService, Task<T>> call)
    {
        var region = KeyArn.TryParse(keyIdOrArn, out var arn, out _) ? arn.Region : null;
        var client = clients.ForRegion(region ?? "");
        using var span = EkmMetrics.Traces.StartActivity($"KMS {operation}", ActivityKind.Client);
        span?.SetTag("rpc.system", "aws-api");
        span?.SetTag("rpc.service", "KMS");
        span?.SetTag("rpc.method", operation);
        span?.SetTag("aws.kms.key", keyIdOrArn);
        var started = time.GetTimestamp();
        var outcome = "ok";
        try
        {
            return await call(client);
        }
        catch (AmazonServiceException ex)
        {
            var problem = Classify(ex.ErrorCode, ex.Message, keyIdOrArn);
            outcome = problem.Slug;
            throw problem;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or TimeoutException or TaskCanceledException or AmazonClientException)
        {
            outcome = ProblemSlugs.KmsUnavailable;
            throw Unavailable(keyIdOrArn);
        }
        finally
        {
            metrics.KmsCall(operation, outcome, time.GetElapsedTime(started));
            span?.SetTag("ekm.outcome", outcome);
            if (outcome != "ok")
            {
                span?.SetStatus(ActivityStatusCode.Error, outcome);
            }
        }
    }

    /// <summary>Maps a KMS error code to our problem slugs (DESIGN §4: revocation vs transient).</summary>
    public static EkmProblemException Classify(string? code, string message, string key) => code switch
    {
        "DisabledException" => new(ProblemSlugs.KeyDisabled, $"The KMS key {key} is disabled. Enable it in AWS KMS to restore access."),
        "KMSInvalidStateException" when message.Contains("pending deletion", StringComparison.OrdinalIgnoreCase) =>
            new(ProblemSlugs.KeyPendingDeletion, $"The KMS key {key} is scheduled for deletion. Cancel the deletion (and enable the key) in AWS KMS to restore access."),
        "KMSInvalidStateException" => new(ProblemSlugs.KeyDisabled, $"The KMS key {key} is not in a usable state ({message}). Make it Enabled in AWS KMS."),
        "NotFoundException" => new(ProblemSlugs.KeyNotFound, $"The KMS key {key} was not found. Check the ARN (account, region, key id); a deleted key cannot come back."),
        "AccessDeniedException" => new(ProblemSlugs.KeyAccessDenied, $"The vendor account is not allowed to use the KMS key {key}. Add the statement from the key-policy page to the key's policy."),
        "InvalidCiphertextException" or "IncorrectKeyException" => new(ProblemSlugs.KeyNotFound, $"The KMS key {key} can no longer decrypt this tenant's key: its key material is gone or was replaced."),
        "InvalidKeyUsageException" => new(ProblemSlugs.WrongKeyUsage, $"The KMS key {key} cannot encrypt and decrypt: use a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT)."),
        _ => Unavailable(key),
    };

    /// <summary>Slugs that mean the customer's key refuses the vendor (DESIGN §4), as opposed to a passing fault.</summary>
    public static bool IsRevocation(string slug) => slug is ProblemSlugs.KeyDisabled or ProblemSlugs.KeyPendingDeletion
        or ProblemSlugs.KeyNotFound or ProblemSlugs.KeyAccessDenied;

    private static EkmProblemException Unavailable(string key) =>
        new(ProblemSlugs.KmsUnavailable, $"AWS KMS did not answer for the key {key} after retries (throttling, a service error or a timeout). This is temporary: retry later.");
}
