// Short headings for the problem slugs a tenant admin meets (src/Ekm.Abstractions/Problems/ProblemSlugs.cs).
// The service's own sentence (`detail`) says what to do; the heading says what happened.

const headings = {
  'unauthenticated': 'The API key was not accepted',
  'forbidden': 'This API key may not do that',
  'invalid-tenant-id': 'That is not a tenant id',
  'not-found': 'Not found',
  'invalid-request-body': 'The request was not understood',
  'service-unavailable': 'The service is briefly unavailable',
  'internal-error': 'Something went wrong on our side',
  'network-error': 'The service did not answer',

  'ekm-not-activated': 'Enterprise Key Management is not activated',
  'ekm-already-enabled': 'Enterprise Key Management is already enabled',
  'ekm-not-enabled': 'Enterprise Key Management is not enabled',
  'ekm-irreversible': 'Enterprise Key Management cannot be turned off',
  'terms-not-accepted': 'The terms were not accepted',

  'key-arn-required': 'Enter a key ARN',
  'invalid-key-arn': 'This is not a KMS key ARN',
  'not-a-kms-key-arn': 'This ARN is not a KMS key',
  'invalid-key-arn-partition': 'Unknown AWS partition',
  'invalid-key-arn-region': 'Unknown AWS region',
  'invalid-key-arn-account': 'The account id is not valid',
  'invalid-key-id': 'The key id is not valid',
  'unsupported-key-provider': 'Only AWS KMS keys are supported',

  'key-not-found': 'The key does not exist',
  'key-access-denied': 'The vendor account cannot use this key',
  'key-disabled': 'The key is disabled',
  'key-pending-deletion': 'The key is scheduled for deletion',
  'wrong-key-spec': 'The key is not a symmetric key',
  'wrong-key-usage': 'The key is not for encryption and decryption',
  'old-key-unavailable': 'The current key can no longer be used',
  'key-revoked': 'The key is revoked',
  'kms-unavailable': 'AWS KMS did not answer',

  'data-key-unreadable': 'Stored data could not be decrypted',
  'backup-item-corrupt': 'A backed-up item is damaged',
  'invalid-job-spec': 'The job is not valid',
  'nothing-to-restore': 'There is nothing to restore',
};

/** A heading for a slug: ours, else the service's title, else the slug itself. */
export function headingOf(slug, title) {
  return headings[slug] || title || slug || 'The request was refused';
}
