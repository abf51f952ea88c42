using System.Security.Cryptography;
using Ekm.LocalKms.Protocol;

namespace Ekm.LocalKms.Engine;

public sealed partial class KmsEngine
{
    private const string SymmetricAlgorithm = "SYMMETRIC_DEFAULT";

    private object Encrypt(Caller caller, KmsRequest request, CallInfo call)
    {
        var keyId = request.RequiredText("KeyId");
        var plaintext = request.RequiredBytes("Plaintext");
        var context = request.Map("EncryptionContext");
        CheckAlgorithm(request.Text("EncryptionAlgorithm"));
        if (plaintext.Length is < 1 or > 4096)
        {
            throw KmsErrors.ValidationFailed("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and 4096");
        }

        var key = Resolve(caller, keyId, call, crossAccount: true);
        var (version, material) = UsableForCrypto(caller, key, "Encrypt", context, request, "Encrypt");
        return new
        {
            CiphertextBlob = Ciphertext.Seal(key.KeyId, version, material, plaintext, context),
            KeyId = key.Arn,
            EncryptionAlgorithm = SymmetricAlgorithm,
        };
    }

    private object GenerateDataKey(Caller caller, KmsRequest request, CallInfo call, bool withPlaintext)
    {
        var operation = withPlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext";
        var keyId = request.RequiredText("KeyId");
        var context = request.Map("EncryptionContext");
        var length = DataKeyLength(request.Number("NumberOfBytes"), request.Text("KeySpec"));
        var key = Resolve(caller, keyId, call, crossAccount: true);
        var (version, material) = UsableForCrypto(caller, key, operation, context, request, operation);
        var plaintext = RandomNumberGenerator.GetBytes(length);
        var blob = Ciphertext.Seal(key.KeyId, version, material, plaintext, context);
        return withPlaintext
            ? new { CiphertextBlob = blob, Plaintext = plaintext, KeyId = key.Arn }
            : new { CiphertextBlob = blob, KeyId = key.Arn };
    }

    private object Decrypt(Caller caller, KmsRequest request, CallInfo call)
    {
        var blob = request.RequiredBytes("CiphertextBlob");
        var context = request.Map("EncryptionContext");
        CheckAlgorithm(request.Text("EncryptionAlgorithm"));
        var (key, plaintext) = Unseal(caller, blob, context, request.Text("KeyId"), request, call, "Decrypt", "Decrypt");
        return new { KeyId = key.Arn, Plaintext = plaintext, EncryptionAlgorithm = SymmetricAlgorithm };
    }

    private object ReEncrypt(Caller caller, KmsRequest request, CallInfo call)
    {
        var blob = request.RequiredBytes("CiphertextBlob");
        var destinationId = request.RequiredText("DestinationKeyId");
        var sourceContext = request.Map("SourceEncryptionContext");
        var destinationContext = request.Map("DestinationEncryptionContext");
        CheckAlgorithm(request.Text("SourceEncryptionAlgorithm"));
        CheckAlgorithm(request.Text("DestinationEncryptionAlgorithm"));

        var (source, plaintext) = Unseal(caller, blob, sourceContext, request.Text("SourceKeyId"), request, call, "ReEncryptFrom", "ReEncryptFrom");
        var destination = Resolve(caller, destinationId, call, crossAccount: true);
        var (version, material) = UsableForCrypto(caller, destination, "ReEncryptTo", destinationContext, request, "ReEncryptTo");
        return new
        {
            CiphertextBlob = Ciphertext.Seal(destination.KeyId, version, material, plaintext, destinationContext),
            SourceKeyId = source.Arn,
            KeyId = destination.Arn,
            SourceEncryptionAlgorithm = SymmetricAlgorithm,
            DestinationEncryptionAlgorithm = SymmetricAlgorithm,
        };
    }

    /// <summary>Finds the key a ciphertext names, checks it as Decrypt does, and opens the blob.</summary>
    private (KmsKey Key, byte[] Plaintext) Unseal(Caller caller, byte[] blob, IReadOnlyDictionary<string, string>? context,
        string? expectedKeyId, KmsRequest request, CallInfo call, string action, string grantOperation)
    {
        var (keyId, version) = Ciphertext.Peek(blob);
        KmsKey key;
        lock (_gate)
        {
            if (!_keys.TryGetValue(keyId, out key!))
            {
                // No key of this KMS ever made this blob.
                throw new KmsException(KmsErrors.InvalidCiphertext, "The ciphertext refers to a KMS key that does not exist or that you cannot access.");
            }
        }

        // The blob's key is addressed by ARN: it may live in another account, as with AWS.
        key = Resolve(caller, key.Arn, call, crossAccount: true);
        if (expectedKeyId is not null)
        {
            var expected = Resolve(caller, expectedKeyId, call, crossAccount: true);
            call.KeyArn = key.Arn; // the call is counted against the key that made the blob
            if (expected.KeyId != key.KeyId)
            {
                throw new KmsException(KmsErrors.IncorrectKey, "The key ID in the request does not identify a KMS key that can perform this operation.");
            }
        }

        Authorize(caller, key, action, context, request.List("GrantTokens"), grantOperation);
        RequireEnabled(key);
        RequireSymmetric(key, action);
        byte[] material;
        lock (_gate)
        {
            if (version < 0 || version >= key.Material.Count)
            {
                throw new KmsException(KmsErrors.InvalidCiphertext, "The ciphertext names a backing key version that does not exist.");
            }

            material = key.Material[version];
        }

        return (key, Ciphertext.Open(blob, material, context));
    }

    private (int Version, byte[] Material) UsableForCrypto(Caller caller, KmsKey key, string action,
        IReadOnlyDictionary<string, string>? context, KmsRequest request, string grantOperation)
    {
        Authorize(caller, key, action, context, request.List("GrantTokens"), grantOperation);
        RequireEnabled(key);
        RequireSymmetric(key, action);
        lock (_gate)
        {
            return (key.Material.Count - 1, key.Material[^1]);
        }
    }

    private static int DataKeyLength(int? numberOfBytes, string? keySpec)
    {
        if (numberOfBytes is not null && keySpec is not null)
        {
            throw KmsErrors.ValidationFailed("Please specify either number of bytes or key spec.");
        }

        if (numberOfBytes is { } n)
        {
            return n is >= 1 and <= 1024
                ? n
                : throw KmsErrors.ValidationFailed("1 validation error detected: Value at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024");
        }

        return keySpec switch
        {
            "AES_256" => 32,
            "AES_128" => 16,
            null => throw KmsErrors.ValidationFailed("Please specify either number of bytes or key spec."),
            _ => throw KmsErrors.ValidationFailed($"1 validation error detected: Value '{keySpec}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"),
        };
    }

    private static void CheckAlgorithm(string? algorithm)
    {
        if (algorithm is not null and not SymmetricAlgorithm)
        {
            throw new KmsException(KmsErrors.InvalidKeyUsage, $"The encryption algorithm {algorithm} is not supported by a symmetric encryption KMS key.");
        }
    }
}
