/* Names for log lines, from the IANA IKEv2 registries. */
#include "client/ike/ikev2.h"

#include <stdio.h>

const char *ike_exchange_name(uint8_t exch)
{
	switch (exch) {
	case IKE_SA_INIT:
		return "IKE_SA_INIT";
	case IKE_AUTH:
		return "IKE_AUTH";
	case CREATE_CHILD_SA:
		return "CREATE_CHILD_SA";
	case INFORMATIONAL:
		return "INFORMATIONAL";
	default:
		return "unknown exchange";
	}
}

const char *ike_payload_name(uint8_t type)
{
	switch (type) {
	case PL_SA:
		return "SA";
	case PL_KE:
		return "KE";
	case PL_IDI:
		return "IDi";
	case PL_IDR:
		return "IDr";
	case PL_CERT:
		return "CERT";
	case PL_CERTREQ:
		return "CERTREQ";
	case PL_AUTH:
		return "AUTH";
	case PL_NONCE:
		return "No";
	case PL_NOTIFY:
		return "N";
	case PL_DELETE:
		return "D";
	case PL_VENDOR:
		return "V";
	case PL_TSI:
		return "TSi";
	case PL_TSR:
		return "TSr";
	case PL_SK:
		return "SK";
	case PL_CP:
		return "CP";
	case PL_EAP:
		return "EAP";
	case PL_SKF:
		return "SKF";
	default:
		return "unknown payload";
	}
}

const char *ike_notify_name(uint16_t type)
{
	switch (type) {
	case N_UNSUPPORTED_CRITICAL_PAYLOAD:
		return "UNSUPPORTED_CRITICAL_PAYLOAD";
	case N_INVALID_IKE_SPI:
		return "INVALID_IKE_SPI";
	case N_INVALID_MAJOR_VERSION:
		return "INVALID_MAJOR_VERSION";
	case N_INVALID_SYNTAX:
		return "INVALID_SYNTAX";
	case N_INVALID_MESSAGE_ID:
		return "INVALID_MESSAGE_ID";
	case N_INVALID_SPI:
		return "INVALID_SPI";
	case N_NO_PROPOSAL_CHOSEN:
		return "NO_PROPOSAL_CHOSEN";
	case N_INVALID_KE_PAYLOAD:
		return "INVALID_KE_PAYLOAD";
	case N_AUTHENTICATION_FAILED:
		return "AUTHENTICATION_FAILED";
	case N_SINGLE_PAIR_REQUIRED:
		return "SINGLE_PAIR_REQUIRED";
	case N_NO_ADDITIONAL_SAS:
		return "NO_ADDITIONAL_SAS";
	case N_INTERNAL_ADDRESS_FAILURE:
		return "INTERNAL_ADDRESS_FAILURE";
	case N_FAILED_CP_REQUIRED:
		return "FAILED_CP_REQUIRED";
	case N_TS_UNACCEPTABLE:
		return "TS_UNACCEPTABLE";
	case N_INVALID_SELECTORS:
		return "INVALID_SELECTORS";
	case N_TEMPORARY_FAILURE:
		return "TEMPORARY_FAILURE";
	case N_CHILD_SA_NOT_FOUND:
		return "CHILD_SA_NOT_FOUND";
	case N_INITIAL_CONTACT:
		return "INITIAL_CONTACT";
	case N_NAT_DETECTION_SOURCE_IP:
		return "NAT_DETECTION_SOURCE_IP";
	case N_NAT_DETECTION_DESTINATION_IP:
		return "NAT_DETECTION_DESTINATION_IP";
	case N_COOKIE:
		return "COOKIE";
	case N_MOBIKE_SUPPORTED:
		return "MOBIKE_SUPPORTED";
	case N_UPDATE_SA_ADDRESSES:
		return "UPDATE_SA_ADDRESSES";
	case N_COOKIE2:
		return "COOKIE2";
	case N_EAP_ONLY_AUTHENTICATION:
		return "EAP_ONLY_AUTHENTICATION";
	case N_IKEV2_FRAGMENTATION_SUPPORTED:
		return "IKEV2_FRAGMENTATION_SUPPORTED";
	case N_SIGNATURE_HASH_ALGORITHMS:
		return "SIGNATURE_HASH_ALGORITHMS";
	default:
		return type < 16384 ? "error notify" : "status notify";
	}
}
