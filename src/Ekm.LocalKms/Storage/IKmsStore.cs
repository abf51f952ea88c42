using Ekm.LocalKms.Engine;

namespace Ekm.LocalKms.Storage;

/// <summary>Where the local KMS keeps keys, aliases and grants. Called under the engine's lock.</summary>
public interface IKmsStore
{
    KmsSnapshot Load();

    void SaveKey(KmsKey key);

    void DeleteKey(string keyId);

    void SaveAlias(KmsAlias entry);

    void DeleteAlias(KmsAlias entry);

    void SaveGrant(KmsGrant grant);

    void DeleteGrant(string grantId);
}

public sealed record KmsSnapshot(IReadOnlyList<KmsKey> Keys, IReadOnlyList<KmsAlias> Aliases, IReadOnlyList<KmsGrant> Grants);

/// <summary>Nothing survives the process: for tests.</summary>
public sealed class InMemoryKmsStore : IKmsStore
{
    public KmsSnapshot Load() => new([], [], []);

    public void SaveKey(KmsKey key)
    {
    }

    public void DeleteKey(string keyId)
    {
    }

    public void SaveAlias(KmsAlias entry)
    {
    }

    public void DeleteAlias(KmsAlias entry)
    {
    }

    public void SaveGrant(KmsGrant grant)
    {
    }

    public void DeleteGrant(string grantId)
    {
    }
}
