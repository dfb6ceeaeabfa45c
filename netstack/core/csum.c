/* Internet checksums (RFC 1071), folded at the end (netstack.h). */
#define _GNU_SOURCE
#include <string.h>

#include "../netstack.h"

uint32_t net_csum_add(uint32_t sum, const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t s = sum;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, b, 8);
		s += (w & 0xffffffffu) + (w >> 32);
		b += 8;
		len -= 8;
	}
	while (len >= 2) {
		uint16_t w;

		memcpy(&w, b, 2);
		s += w;
		b += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0;

		memcpy(&w, b, 1);
		s += w;
	}
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t net_csum_pseudo(const struct in6_addr *src, const struct in6_addr *dst, int protocol, size_t len)
{
	uint32_t sum = 0;

	if (net_addr_is_v4(src) && net_addr_is_v4(dst)) {
		uint16_t w[2] = {htons((uint16_t)protocol), htons((uint16_t)len)};

		sum = net_csum_add(sum, &src->s6_addr32[3], 4);
		sum = net_csum_add(sum, &dst->s6_addr32[3], 4);
		return net_csum_add(sum, w, 4);
	}
	{
		uint32_t w[2] = {htonl((uint32_t)len), htonl((uint32_t)protocol)};

		sum = net_csum_add(sum, src, 16);
		sum = net_csum_add(sum, dst, 16);
		return net_csum_add(sum, w, 8);
	}
}
