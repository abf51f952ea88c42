using System.Security.Cryptography;
using Ekm.Grains.Kms;
using Ekm.Keys;
using Ekm.Problems;

namespace Ekm.Grains.Keys;

/// <summary>
/// Every check a customer key must pass before anything is saved (DESIGN §5): ARN syntax,
/// DescribeKey (enabled, SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT), and a GenerateDataKey + Decrypt
/// round trip with the tenant's encryption context, which proves the key policy lets the vendor in
/// for this tenant. An alias ARN is resolved to its key ARN, which is what gets stored: an alias
/// can later be pointed at another key, a key ARN cannot.
/// </summary>
public sealed class KeyValidator(IKms kms)
{
    public async Task<KeyValidation> ValidateAsync(string tenantId, string keyArnText, CancellationToken cancellationToken = default)
    {
        if (!KeyArn.TryParse(keyArnText, out var arn, out var problem))
        {
            throw problem;
        }

        var info = await kms.DescribeKeyAsync(arn.ToString(), cancellationToken);
        if (info.KeySpec != "SYMMETRIC_DEFAULT")
        {
            throw new EkmProblemException(ProblemSlugs.WrongKeySpec,
                $"The key's spec is {info.KeySpec}. Enterprise Key Management needs a symmetric encryption key (key spec SYMMETRIC_DEFAULT); create one in AWS KMS.");
        }

        if (info.KeyUsage != "ENCRYPT_DECRYPT")
        {
            throw new EkmProblemException(ProblemSlugs.WrongKeyUsage,
                $"The key's usage is {info.KeyUsage}. Enterprise Key Management needs a key for encryption and decryption (ENCRYPT_DECRYPT).");
        }

        switch (info.KeyState)
        {
            case "Enabled":
                break;
            case "PendingDeletion":
                throw new EkmProblemException(ProblemSlugs.KeyPendingDeletion,
                    $"The key {info.Arn} is scheduled for deletion. Cancel the deletion and enable the key in AWS KMS, or choose another key.");
            default:
                throw new EkmProblemException(ProblemSlugs.KeyDisabled,
                    $"The key {info.Arn} is {info.KeyState}. Enable it in AWS KMS, then try again.");
        }

        var (plaintext, wrapped) = await kms.GenerateDataKeyAsync(info.Arn, tenantId, cancellationToken);
        try
        {
            var roundTrip = await kms.DecryptAsync(info.Arn, wrapped, tenantId, cancellationToken);
            var same = CryptographicOperations.FixedTimeEquals(plaintext, roundTrip);
            CryptographicOperations.ZeroMemory(roundTrip);
            if (!same)
            {
                throw new EkmProblemException(ProblemSlugs.KmsUnavailable, "AWS KMS returned an inconsistent answer for the key test. Retry.");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }

        return new KeyValidation(info.Arn, info.KeySpec, info.KeyUsage, info.KeyState);
    }
}
