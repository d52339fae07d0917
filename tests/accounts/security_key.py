"""A software security key, so WebAuthn can be tested end to end with Django's test client.

It answers allauth's registration and sign-in challenges the way a real key would ("none"
attestation, an ES256 key pair), so the server-side checks that run are allauth's own.
"""

import hashlib
import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticationExtensionsClientOutputs,
    AuthenticationResponse,
    AuthenticatorAssertionResponse,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    CollectedClientData,
    RegistrationResponse,
)

ORIGIN = "http://testserver"


def _challenge(options: dict) -> bytes:
    challenge = options["publicKey"]["challenge"]
    return websafe_decode(challenge) if isinstance(challenge, str) else challenge


class SoftwareSecurityKey:
    """One security key: a credential id and an EC private key."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0

    def register(self, creation_options: dict) -> str:
        """The JSON a browser posts after the key accepts allauth's creation options."""
        rp_id = creation_options["publicKey"]["rp"]["id"]
        client_data = CollectedClientData.create(
            type="webauthn.create", challenge=_challenge(creation_options), origin=ORIGIN
        )
        credential = AttestedCredentialData.create(
            b"\0" * 16, self.credential_id, ES256.from_cryptography_key(self.private_key.public_key())
        )
        auth_data = AuthenticatorData.create(
            hashlib.sha256(rp_id.encode()).digest(),
            AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT,
            self.counter,
            credential,
        )
        response = RegistrationResponse(
            raw_id=self.credential_id,
            response=AuthenticatorAttestationResponse(
                client_data=client_data, attestation_object=AttestationObject.create("none", auth_data, {})
            ),
            client_extension_results=AuthenticationExtensionsClientOutputs({"credProps": {"rk": False}}),
        )
        return json.dumps(dict(response))

    def sign_in(self, request_options: dict) -> str:
        """The JSON a browser posts after the key signs allauth's authentication challenge."""
        rp_id = request_options["publicKey"]["rpId"]
        client_data = CollectedClientData.create(
            type="webauthn.get", challenge=_challenge(request_options), origin=ORIGIN
        )
        self.counter += 1
        auth_data = AuthenticatorData.create(
            hashlib.sha256(rp_id.encode()).digest(), AuthenticatorData.FLAG.UP, self.counter
        )
        signature = self.private_key.sign(bytes(auth_data) + client_data.hash, ec.ECDSA(hashes.SHA256()))
        response = AuthenticationResponse(
            raw_id=self.credential_id,
            response=AuthenticatorAssertionResponse(
                client_data=client_data, authenticator_data=auth_data, signature=signature
            ),
        )
        return json.dumps(dict(response))
