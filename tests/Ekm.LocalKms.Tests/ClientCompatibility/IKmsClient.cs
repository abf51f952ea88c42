namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>
/// One KMS client program, called with AWS API names: <c>("Encrypt", ("KeyId", id), ("Plaintext", bytes))</c>.
/// Member values are <see cref="string"/>, <see cref="bool"/>, <see cref="int"/>, <see cref="byte"/>[],
/// a string map or a string list.
/// </summary>
public interface IKmsClient
{
    Task<KmsAnswer> CallAsync(string operation, params (string Name, object Value)[] input);
}
